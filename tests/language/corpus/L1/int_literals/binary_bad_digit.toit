// Checks that a digit other than 0/1 in a binary literal is a compile error.
main:
  print 0b102  // expect compile error:
