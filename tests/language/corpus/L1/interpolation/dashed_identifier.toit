// Checks that interpolated identifiers include inner dashes.
main:
  a-b := 5
  a := 1
  print "$a-b"
  print "$a -b"

// expect: 5
// expect: 1 -b
