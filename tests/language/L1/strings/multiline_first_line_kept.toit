main:
  s := """foo
  bar"""
  print s

// expect: foo
// expect:   bar
