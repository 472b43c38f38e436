// Checks that `it` in a nested block names the inner block's argument.
main:
  [1, 2].do:
    x := it
    [10].do: print it + x

// expect: 11
// expect: 12
