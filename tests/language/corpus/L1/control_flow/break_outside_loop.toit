// Checks that break outside of a loop is a compile error.
main:
  break  // expect compile error:
