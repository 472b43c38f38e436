// Checks & | ^ ~ on ints, including negatives.
main:
  print 0xFF & 0b1010
  print 12 | 3
  print 12 ^ 10
  print ~5
  print -1 & 0xFF
  print -8 | 3

// expect: 10
// expect: 15
// expect: 6
// expect: -6
// expect: 255
// expect: -5
