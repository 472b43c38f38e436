// Checks %u: unsigned 64-bit decimal.
main:
  print "$(%u 7)"
  print "$(%u -1)"

// expect: 7
// expect: 18446744073709551615
