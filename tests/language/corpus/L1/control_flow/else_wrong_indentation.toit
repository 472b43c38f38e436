// Checks that else must be at the indentation of its if.
main:
  if true:
    print 1
    else:  // expect compile error:
      print 2
