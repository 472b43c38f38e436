// Checks that int % by zero throws DIVISION_BY_ZERO.
main:
  z := 0
  print (catch: 10 % z)
  print (catch: 10 / z)

// expect: DIVISION_BY_ZERO
// expect: DIVISION_BY_ZERO
