// `_` and `this` can't name locals, also in nested bodies and blocks.
main:
  if true:
    _ ::= 1  // expect compile error: '_' can't be used
  [1].do:
    this := it  // expect compile error: 'this' can't be used
