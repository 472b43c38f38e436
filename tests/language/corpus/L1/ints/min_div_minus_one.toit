// Checks our choice: int.MIN / -1 wraps to int.MIN and int.MIN % -1 is 0.
main:
  m := -1
  print int.MIN / m == int.MIN
  print int.MIN % m

// expect: true
// expect: 0
