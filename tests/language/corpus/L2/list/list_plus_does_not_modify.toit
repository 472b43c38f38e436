// Checks that + returns a new list and leaves both operands unchanged.
main:
  a := [1]
  b := [2]
  c := a + b
  c.add 3
  print a
  print b
  print c

// expect: [1]
// expect: [2]
// expect: [1, 2, 3]
