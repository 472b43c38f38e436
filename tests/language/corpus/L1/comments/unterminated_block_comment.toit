// Checks that an unterminated block comment is a compile error.
main:
  print 1
/* never closed  // expect compile error:
