main:
  3.repeat: print it
  0.repeat: print "never"

// expect: 0
// expect: 1
// expect: 2
