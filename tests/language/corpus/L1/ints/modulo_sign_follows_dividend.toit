// Checks that int % has the sign of the dividend and a == (a / b) * b + a % b.
main:
  print 7 % 3
  print -7 % 3
  print 7 % -3
  print -7 % -3
  a := -17
  b := 5
  print a == (a / b) * b + a % b

// expect: 1
// expect: -1
// expect: 1
// expect: -1
// expect: true
