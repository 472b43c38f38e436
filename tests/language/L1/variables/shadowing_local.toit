main:
  x := 1
  if true:
    x := 2  // expect compile error: Definition of 'x' shadows earlier definition
