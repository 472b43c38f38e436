// Checks float printing against the table of §9.3.
main:
  print 1.0
  print 0.1 + 0.2
  print 1e20
  print 1e21
  print 1.5e22
  print 1e-6
  print 1e-7
  print 2.5e-7
  print -0.0
  print 1.0 / 0
  print -1.0 / 0
  print 0.0 / 0

// expect: 1.0
// expect: 0.30000000000000004
// expect: 100000000000000000000.0
// expect: 1e21
// expect: 1.5e22
// expect: 0.000001
// expect: 1e-07
// expect: 2.5e-07
// expect: -0.0
// expect: inf
// expect: -inf
// expect: nan
