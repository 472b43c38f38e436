// Checks that `+=` uses a user-defined operator +.
class V:
  x /int
  constructor .x:
  operator + o: return V x + o.x
main:
  v := V 1
  v += V 2
  v += V 3
  print v.x

// expect: 6
