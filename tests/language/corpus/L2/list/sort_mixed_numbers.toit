// Checks sorting a list of ints and floats.
main:
  print [2, 1.5, 3, -1].sort

// expect: [-1, 1.5, 2, 3]
