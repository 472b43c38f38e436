// Checks int.MAX and int.MIN.
main:
  print int.MAX
  print int.MIN

// expect: 9223372036854775807
// expect: -9223372036854775808
