// Checks that a lambda created in a block captures the block's parameter value.
main:
  fns := [1, 2, 3].map: | n | :: n * n
  print (fns.map: it.call)

// expect: [1, 4, 9]
