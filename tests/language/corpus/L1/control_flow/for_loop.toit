// Checks a C-style for loop with a compound update.
main:
  for j := 10; j > 0; j -= 4: print j

// expect: 10
// expect: 6
// expect: 2
