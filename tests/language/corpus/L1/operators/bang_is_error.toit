// Checks that the deprecated `!` operator is an error.
main:
  b := true
  print (!b)  // expect compile error:
