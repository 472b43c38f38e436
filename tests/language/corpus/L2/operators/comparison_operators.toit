// Checks user-defined <, <=, > and >=.
class N:
  v /int
  constructor .v:
  operator < o: return v < o.v
  operator <= o: return v <= o.v
  operator > o: return v > o.v
  operator >= o: return v >= o.v
main:
  a := N 1
  b := N 2
  print a < b
  print a <= a
  print a > b
  print b >= a

// expect: true
// expect: true
// expect: false
// expect: true
