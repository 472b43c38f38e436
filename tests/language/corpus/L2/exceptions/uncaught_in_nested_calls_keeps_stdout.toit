// Checks that stdout printed before an uncaught exception is kept.
a: throw "LATE"
main:
  print "one"
  print "two"
  a

// expect: one
// expect: two
// expect runtime error: LATE
