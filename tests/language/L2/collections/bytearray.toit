main:
  b := #[1, 2, 255]
  print b.size
  print b[2]
  b[0] = 300
  print b[0]
  c := ByteArray 3
  print c[1]

// expect: 3
// expect: 255
// expect: 44
// expect: 0
