main:
  print -0x10  // expect compile error: Hex literals may not be negated
