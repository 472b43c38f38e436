// Checks that continue inside a block applies to the enclosing loop.
main:
  for i := 0; i < 4; i++:
    [i].do:
      if it % 2 == 1: continue
    print i

// expect: 0
// expect: 2
