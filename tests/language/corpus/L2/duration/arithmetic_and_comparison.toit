// Checks Duration + - * / and comparisons.
main:
  a := Duration --s=1
  b := Duration --ms=500
  print a + b
  print a - b
  print a * 3
  print a / 4
  print a > b
  print a == (Duration --ms=1000)
  print b < Duration.ZERO

// expect: 1.5s
// expect: 500ms
// expect: 3s
// expect: 250ms
// expect: true
// expect: true
// expect: false
