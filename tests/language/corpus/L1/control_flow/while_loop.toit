// Checks a while loop and that a while is an expression with value null.
main:
  i := 0
  while i < 3:
    print i
    i++
  print i

// expect: 0
// expect: 1
// expect: 2
// expect: 3
