main:
  print (catch: 10 / 0)
  print (catch: 10 % 0)
  x := 0
  print (catch: 1 / x)

// expect: DIVISION_BY_ZERO
// expect: DIVISION_BY_ZERO
// expect: DIVISION_BY_ZERO
