// Checks the 64-bit decimal bounds, including the negated minimum.
main:
  print 9223372036854775807
  print -9223372036854775808
  print 9223372036854775807 == int.MAX
  print -9223372036854775808 == int.MIN

// expect: 9223372036854775807
// expect: -9223372036854775808
// expect: true
// expect: true
