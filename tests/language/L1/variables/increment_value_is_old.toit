main:
  i := 1
  j := i++ + 10
  print j
  print i

// expect: 11
// expect: 2
