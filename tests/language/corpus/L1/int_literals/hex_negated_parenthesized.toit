// Checks that a parenthesized hex literal may be negated.
main:
  print -(0x10)
  print -(0b11)

// expect: -16
// expect: -3
