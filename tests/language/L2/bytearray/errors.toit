// Bad inputs to ByteArray: indexes, slices, sizes, element types, UTF-8.
main:
  b := #[1, 2, 3]
  print (catch: b[3])
  print (catch: b[-1])
  print (catch: b[3] = 1)
  print (catch: b[2..4])
  print (catch: b[2..1])
  s := b[1..3]
  print (catch: s[2])
  print (catch: s[0..3])
  print (catch: ByteArray -1)
  print (catch: b[0] = "x")
  print (catch: b + [4])
  print (catch: #[0xc3].to-string)
  print (catch: #[0xed, 0xa0, 0x80].to-string)
  print (catch: #[0xc0, 0x80].to-string)
  print (catch: (ByteArray 0).first)
  print (catch: (ByteArray 0).reduce: | a b | a + b)
  print b == [1, 2, 3]
  print b == #[1, 2]

// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: NEGATIVE_ARGUMENT
// expect: AS_CHECK_FAILED
// expect: AS_CHECK_FAILED
// expect: ILLEGAL_UTF_8
// expect: ILLEGAL_UTF_8
// expect: ILLEGAL_UTF_8
// expect: OUT_OF_BOUNDS
// expect: Not enough elements
// expect: false
// expect: false
