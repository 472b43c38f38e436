// Checks that `--x` is not a prefix decrement (it is a named argument).
main:
  x := 3
  print --x  // expect compile error:
