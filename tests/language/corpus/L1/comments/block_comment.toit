// Checks that /* */ comments are whitespace, also in the middle of an expression.
main:
  print 1 + /* two */ 2
  /* a whole
     line comment */
  print "done"

// expect: 3
// expect: done
