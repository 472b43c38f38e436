// Checks the bitwise precedence: & over ^ over |, shifts over &, + over shifts.
main:
  print 1 | 2 ^ 3 & 6
  print 1 << 2 + 1
  print 12 & 6 | 1
  print 5 ^ 1 | 8

// expect: 1
// expect: 8
// expect: 5
// expect: 12
