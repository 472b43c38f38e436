// Checks that a slice beyond the string's size throws OUT_OF_BOUNDS.
main:
  s := "abc"
  print s[1..3]
  print s[1..5]

// expect: bc
// expect runtime error: OUT_OF_BOUNDS
