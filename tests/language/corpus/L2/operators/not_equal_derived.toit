// Checks that `!=` is derived from a user-defined `==`.
class V:
  n /int
  constructor .n:
  operator == other: return other is V and n == other.n
main:
  print (V 1) != (V 1)
  print (V 1) != (V 2)

// expect: false
// expect: true
