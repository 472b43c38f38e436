// Checks that \r\n line terminators are accepted.
main:
  print "a"
  print "b"

// expect: a
// expect: b
