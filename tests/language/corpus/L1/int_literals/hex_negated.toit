// Checks that a minus attached to a hex literal is a compile error.
main:
  print -0x10  // expect compile error: Hex literals may not be negated
