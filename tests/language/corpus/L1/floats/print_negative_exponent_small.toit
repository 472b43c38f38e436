// Checks that negative exponents get at least two digits and large ones keep all.
main:
  print 1.5e-10
  print 3e-300
  print 1e-5 / 8

// expect: 1.5e-10
// expect: 3e-300
// expect: 0.00000125
