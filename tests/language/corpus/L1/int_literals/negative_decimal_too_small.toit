// Checks that a negated decimal literal below int.MIN is a compile error.
main:
  print -9223372036854775809  // expect compile error:
