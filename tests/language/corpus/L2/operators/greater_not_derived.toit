// Checks that `>` is not derived from a user-defined `<`.
class V:
  n /int
  constructor .n:
  operator < other: return n < other.n
id x: return x
main:
  a := id (V 1)
  b := id (V 2)
  print a < b
  print (catch: a > b)

// expect: true
// expect: LOOKUP_FAILED
