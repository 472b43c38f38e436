f:
  x := 1

main:
  print f

// expect: null
