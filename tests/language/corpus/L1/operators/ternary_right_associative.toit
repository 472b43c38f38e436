// Checks that ?: is right associative and that branches are full expressions.
sign n: return n < 0 ? -1 : n == 0 ? 0 : 1
main:
  print (sign -4)
  print (sign 0)
  print (sign 9)
  x := true ? 1 + 2 : 3 + 4
  print x

// expect: -1
// expect: 0
// expect: 1
// expect: 3
