// Checks that a block can read and write the caller's locals.
main:
  sum := 0
  [1, 2, 3].do: | n | sum += n
  print sum

// expect: 6
