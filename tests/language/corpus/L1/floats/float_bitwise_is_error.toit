// Checks that bitwise operators are for ints only (runtime error on a float).
main:
  x := 1.5
  y := 1
  print (catch: x & y) != null

// expect: true
