// Checks the float literal forms: .5, exponents, signs of exponents, underscores.
main:
  print 1.5
  print .5
  print 3.0e10
  print 1e-9
  print 2E+3
  print 1_000.5

// expect: 1.5
// expect: 0.5
// expect: 30000000000.0
// expect: 1e-09
// expect: 2000.0
// expect: 1000.5
