// Checks the comparison operators on durations.
main:
  a := Duration --ms=10
  b := Duration --ms=20
  print a < b
  print a <= a
  print b > a
  print b >= b
  print a != b

// expect: true
// expect: true
// expect: true
// expect: true
// expect: true
