main:
  for i := 0; i < 4; i++:
    [1].do:
      if i % 2 == 0: continue
    print i

// expect: 1
// expect: 3
