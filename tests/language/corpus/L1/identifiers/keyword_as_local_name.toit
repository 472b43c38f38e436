// Checks that a reserved word cannot be used as a local name.
main:
  while := 3  // expect compile error:
