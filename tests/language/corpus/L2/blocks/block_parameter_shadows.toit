// Checks that block parameters may shadow locals.
main:
  x := 100
  [1, 2].do: | x | print x
  print x

// expect: 1
// expect: 2
// expect: 100
