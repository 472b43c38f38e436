// Checks that ';' separates several statements on one line.
main:
  print 1; print 2; print 3

// expect: 1
// expect: 2
// expect: 3
