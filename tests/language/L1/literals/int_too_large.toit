main:
  print 9223372036854775808  // expect compile error: Number literal out of range
