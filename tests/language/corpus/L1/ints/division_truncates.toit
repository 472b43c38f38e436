// Checks that int division truncates toward zero.
main:
  print 7 / 2
  print -7 / 2
  print 7 / -2
  print -7 / -2

// expect: 3
// expect: -3
// expect: -3
// expect: 3
