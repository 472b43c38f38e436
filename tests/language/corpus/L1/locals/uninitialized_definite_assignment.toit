// Checks that a `?` local assigned on all paths may be read.
main:
  x := ?
  if 3 > 2:
    x = "a"
  else:
    x = "b"
  print x

// expect: a
