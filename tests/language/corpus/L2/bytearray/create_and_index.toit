// Checks ByteArray creation, indexing and that stores are masked with 0xFF.
main:
  b := ByteArray 4
  print b
  b[0] = 256 + 7
  b[1] = -1
  print b[0]
  print b[1]
  print (ByteArray 3: it * 2)
  print #[1, 2, 255]
  print #[]

// expect: #[0x00, 0x00, 0x00, 0x00]
// expect: 7
// expect: 255
// expect: #[0x00, 0x02, 0x04]
// expect: #[0x01, 0x02, 0xff]
// expect: #[]
