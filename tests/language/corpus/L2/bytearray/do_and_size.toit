// Checks iterating a ByteArray with do.
main:
  sum := 0
  #[1, 2, 3].do: sum += it
  print sum
  print (ByteArray 0).size

// expect: 6
// expect: 0
