// Checks that a block can modify a for-loop variable of the caller.
main:
  for i := 0; i < 10; i++:
    [1].do: i += 3
    print i

// expect: 3
// expect: 7
// expect: 11
