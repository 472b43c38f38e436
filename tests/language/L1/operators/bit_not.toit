main:
  print ~0
  print ~5
  x := -1
  print ~x

// expect: -1
// expect: -6
// expect: 0
