// Checks user-defined shift and bitwise operators.
class B:
  v /int
  constructor .v:
  operator << n: return B v << n
  operator | o: return B v | o.v
  operator ~: return B ~v
main:
  print ((B 1) << 3).v
  print ((B 1) | (B 4)).v
  print (~(B 0)).v

// expect: 8
// expect: 5
// expect: -1
