// Checks that two sibling bodies may each define the same name.
main:
  if true:
    x := 1
    print x
  if true:
    x := 2
    print x

// expect: 1
// expect: 2
