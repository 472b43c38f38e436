// Checks that comment-only and blank lines at any indentation do not end a body.
main:
  if true:
    print "a"
// a comment at column 0
        // a deeply indented comment

    print "b"
  print "c"

// expect: a
// expect: b
// expect: c
