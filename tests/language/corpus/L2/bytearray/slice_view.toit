// Checks that ByteArray slices are views.
main:
  b := #[1, 2, 3, 4]
  s := b[1..3]
  s[0] = 20
  print b
  print s.size

// expect: #[0x01, 0x14, 0x03, 0x04]
// expect: 2
