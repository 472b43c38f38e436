// Checks a user-defined unary minus.
class N:
  v /int
  constructor .v:
  operator -: return N -v
main:
  print (-(N 4)).v

// expect: -4
