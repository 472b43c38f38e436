// Checks that invalid UTF-8 bytes inside a string literal are a compile error.
main:
  print "bad: ÿþ"  // expect compile error:
