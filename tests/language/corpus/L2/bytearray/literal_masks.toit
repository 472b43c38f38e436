// Checks that byte array literal elements are stored & 0xFF.
main:
  print #[256, 257, -1]

// expect: #[0x00, 0x01, 0xff]
