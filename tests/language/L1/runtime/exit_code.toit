main:
  print "bye"
  exit 3
  print "not reached"

// expect: bye
// expect exit: 3
