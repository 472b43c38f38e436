// Values beyond 31 and 62 bits behave like any other int.
main:
  a := 3_000_000_000
  b := a * a
  print b
  print b / a
  print 4611686018427387904 + 4611686018427387904
  print (1 << 40) - 1

// expect: 9000000000000000000
// expect: 3000000000
// expect: -9223372036854775808
// expect: 1099511627775
