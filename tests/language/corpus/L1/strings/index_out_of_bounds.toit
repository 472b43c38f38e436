// Checks that indexing past the end of a string throws OUT_OF_BOUNDS.
main:
  s := "abc"
  print s[2]
  print s[3]

// expect: 99
// expect runtime error: OUT_OF_BOUNDS
