// Checks that a default value may refer to a global.
BASE := 10
add x y=BASE: return x + y
main:
  print (add 1)
  BASE = 20
  print (add 1)

// expect: 11
// expect: 21
