// Checks that `_` cannot name a local.
main:
  _ := 3  // expect compile error:
