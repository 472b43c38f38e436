// Checks that `this` cannot be used as a local name.
main:
  this := 3  // expect compile error:
