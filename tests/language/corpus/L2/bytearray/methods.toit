// Checks copy, +, index-of, fill and == on byte arrays.
main:
  b := #[1, 2, 3]
  c := b.copy
  c[0] = 9
  print b
  print b + #[4]
  print (b.index-of 3)
  print b == #[1, 2, 3]
  d := ByteArray 2
  d.fill 5
  print d

// expect: #[0x01, 0x02, 0x03]
// expect: #[0x01, 0x02, 0x03, 0x04]
// expect: 2
// expect: true
// expect: #[0x05, 0x05]
