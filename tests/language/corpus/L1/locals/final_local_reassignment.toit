// Checks that assigning to a ::= local is a compile error.
main:
  x ::= 1
  x = 2  // expect compile error: Can't assign to final local
  print x
