// Checks that a local may not shadow another local of the same function.
main:
  x := 1
  if true:
    x := 2  // expect compile error: Definition of 'x' shadows earlier definition
    print x
