main:
  for i := 0; i < 3; i++: print i
  for j := 10; j > 0; j -= 4: print j

// expect: 0
// expect: 1
// expect: 2
// expect: 10
// expect: 6
// expect: 2
