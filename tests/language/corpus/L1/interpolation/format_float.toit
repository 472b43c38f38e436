// Checks %f with and without precision, and on an int (to-float).
main:
  print "$(%.2f 3.14159)"
  print "$(%.3f 2.0)"
  print "$(%f 2.5)"
  print "$(%.1f 3)"
  print "[$(%8.2f 3.14159)]"

// expect: 3.14
// expect: 2.000
// expect: 2.5
// expect: 3.0
// expect: [    3.14]
