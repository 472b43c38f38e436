// Checks that an empty character literal is a compile error.
main:
  print ''  // expect compile error:
