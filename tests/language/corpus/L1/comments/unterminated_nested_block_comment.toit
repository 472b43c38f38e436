// Checks that a nested block comment needs both terminators.
main:
  print 1
/* a /* b */ c  // expect compile error:
