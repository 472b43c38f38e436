// Checks that storing a large value keeps only the low byte.
main:
  b := ByteArray 1
  b[0] = 0x1FF
  print b[0]
  b[0] = 0x12345678
  print b[0]

// expect: 255
// expect: 120
