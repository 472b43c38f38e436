// Checks that a format string not of the shape [-^]?[0-9.]*LETTER is a compile error.
main:
  x := 3
  print "$(%+d x)"  // expect compile error: Invalid format string
