// Checks that break inside a block leaves the enclosing loop.
main:
  count := 0
  for i := 0; i < 10; i++:
    [1].do:
      if i == 3: break
    count++
  print count

// expect: 3
