// Checks to-string (UTF-8 decode) and string.to-byte-array.
main:
  b := "hé".to-byte-array
  print b
  print b.to-string
  print b.size

// expect: #[0x68, 0xc3, 0xa9]
// expect: hé
// expect: 3
