main:
  for i := 0; i < 6; i++:
    if i % 2 == 0: continue
    print i

// expect: 1
// expect: 3
// expect: 5
