LIMIT ::= 3

main:
  LIMIT = 4  // expect compile error: Can't assign to final global
