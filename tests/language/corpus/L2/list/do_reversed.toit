// Checks do and do --reversed.
main:
  [1, 2, 3].do: print it
  [1, 2, 3].do --reversed: print it

// expect: 1
// expect: 2
// expect: 3
// expect: 3
// expect: 2
// expect: 1
