// Checks that dedenting to a level between two bodies is an error.
main:
  if true:
      print 1
    print 2  // expect compile error:
