// Checks that an if without ':' is a compile error.
main:
  if true  // expect compile error: Missing colon
  print 1
