// Checks that any on an empty list is false and the block is not called.
main:
  print ([].any: true)

// expect: false
