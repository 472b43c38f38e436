// Checks that \x needs exactly two hex digits.
main:
  print "\x4"  // expect compile error:
