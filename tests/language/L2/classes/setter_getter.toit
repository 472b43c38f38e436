class Temp:
  celsius_ := 0.0
  fahrenheit -> float: return celsius_ * 9 / 5 + 32
  fahrenheit= f/float: celsius_ = (f - 32) * 5 / 9

main:
  t := Temp
  t.fahrenheit = 212.0
  print t.celsius_
  print t.fahrenheit

// expect: 100.0
// expect: 212.0
