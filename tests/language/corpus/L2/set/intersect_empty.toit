// Checks intersect with no common elements.
main:
  print ({1, 2}.intersect {3})

// expect: {}
