// Checks that a typed function without any return is a compile error.
f -> int:  // expect compile error: Method doesn't return a value
  print "x"
main:
  f
