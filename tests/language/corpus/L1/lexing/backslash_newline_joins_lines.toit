// Checks that a backslash at the end of a line joins it with the next line.
main:
  x := 1 + \
        2
  print x

// expect: 3
