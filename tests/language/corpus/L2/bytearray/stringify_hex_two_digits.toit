// Checks that ByteArray stringify uses lowercase two-digit hex.
main:
  print #[0, 10, 16, 171]

// expect: #[0x00, 0x0a, 0x10, 0xab]
