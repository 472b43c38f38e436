// Checks the message for a statement indented differently from its body.
main:
    print 1
  print 2  // expect compile error: All expressions in a sequence must be indented the same way
