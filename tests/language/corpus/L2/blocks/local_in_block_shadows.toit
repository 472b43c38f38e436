// Checks that a local defined inside a block may not shadow an outer local.
main:
  x := 1
  [1].do:
    x := 2  // expect compile error: Definition of 'x' shadows earlier definition
