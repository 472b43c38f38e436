// Checks ByteArray.index-of for a missing byte.
main:
  print (#[1, 2].index-of 9)

// expect: -1
