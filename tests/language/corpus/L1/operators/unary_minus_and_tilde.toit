// Checks unary minus and bitwise not.
main:
  x := 5
  print -x
  print ~x
  print ~0
  print -(-x)
  print ~-1

// expect: -5
// expect: -6
// expect: -1
// expect: 5
// expect: 0
