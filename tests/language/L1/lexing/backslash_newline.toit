// A backslash before the newline joins two lines.
main:
  x := 1 + \
2
  print x

// expect: 3
