// Checks that a decimal literal beyond int.MAX is a compile error.
main:
  print 9223372036854775808  // expect compile error:
