// Checks that assigning to a ::= global is a compile error.
LIMIT ::= 10
main:
  LIMIT = 11  // expect compile error:
