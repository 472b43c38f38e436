main:
  y ::= 10
  y = 11  // expect compile error: Can't assign to final local
