// Checks that a bare '$' not followed by an identifier or '(' is a compile error.
main:
  print "cost: $ 5"  // expect compile error:
