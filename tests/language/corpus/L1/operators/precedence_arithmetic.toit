// Checks * / % over + -, and left associativity.
main:
  print 10 - 4 - 3
  print 100 / 10 / 5
  print 7 + 6 % 4
  print (7 + 6) % 4
  print 2 * 3 - 8 / 4

// expect: 3
// expect: 2
// expect: 9
// expect: 1
// expect: 4
