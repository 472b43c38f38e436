// Checks that a multi-line string without a newline is taken as is.
main:
  s := """  two spaces"""
  print s.size
  print "[$s]"

// expect: 12
// expect: [  two spaces]
