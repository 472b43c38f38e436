// Checks that byte array indexing out of range throws OUT_OF_BOUNDS.
main:
  b := ByteArray 2
  print (catch: b[2])

// expect: OUT_OF_BOUNDS
