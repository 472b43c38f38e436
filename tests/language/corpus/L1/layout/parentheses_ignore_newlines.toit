// Checks that newlines inside parentheses and list literals are ignored.
main:
  x := (1 +
2 +
    3)
  print x
  print [1,
    2,
      3,]

// expect: 6
// expect: [1, 2, 3]
