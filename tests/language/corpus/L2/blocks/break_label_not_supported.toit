// Checks our choice: break.label is not supported.
main:
  [1, 2].do:
    break.do  // expect compile error:
