// Checks that \u needs exactly four hex digits.
main:
  print "\u12g4"  // expect compile error:
