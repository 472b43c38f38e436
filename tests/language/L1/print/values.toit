main:
  print 1
  print -1.5
  print "s"
  print true
  print null
  print [1, "a", null]
  print []
  print

// expect: 1
// expect: -1.5
// expect: s
// expect: true
// expect: null
// expect: [1, a, null]
// expect: []
// expect:
