// Checks the printing of float.MAX-FINITE and of float.INFINITY and float.NAN.
main:
  print float.MAX-FINITE
  print float.INFINITY
  print -float.INFINITY
  print float.NAN

// expect: 1.7976931348623157e308
// expect: inf
// expect: -inf
// expect: nan
