// Checks that // ends a line comment after code.
main:
  print 5  // print 6

// expect: 5
