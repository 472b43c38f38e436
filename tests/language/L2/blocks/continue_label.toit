main:
  [1, 2, 3, 4].do:
    if it % 2 == 0: continue.do
    print it

// expect: 1
// expect: 3
