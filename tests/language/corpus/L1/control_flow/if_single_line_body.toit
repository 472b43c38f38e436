// Checks single-line bodies with several ';'-separated statements.
main:
  if true: print 1; print 2
  i := 0
  while i < 3: print "i$i"; i++

// expect: 1
// expect: 2
// expect: i0
// expect: i1
// expect: i2
