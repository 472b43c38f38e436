// Checks that a function body may be on the same line as the declaration.
one: return 1
two:
  return 2
main: print (one) + (two)

// expect: 3
