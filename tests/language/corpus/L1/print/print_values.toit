// Checks print of every L1 value kind.
main:
  print 42
  print -7
  print 1.5
  print true
  print false
  print null
  print "text"
  print

// expect: 42
// expect: -7
// expect: 1.5
// expect: true
// expect: false
// expect: null
// expect: text
// expect:
