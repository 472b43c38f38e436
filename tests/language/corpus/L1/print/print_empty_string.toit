// Checks that printing an empty string prints an empty line.
main:
  print "a"
  print ""
  print "b"

// expect: a
// expect:
// expect: b
