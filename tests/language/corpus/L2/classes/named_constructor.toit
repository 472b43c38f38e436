// Checks a named constructor.
class P:
  x /int
  constructor .x:
  constructor.origin:
    x = 0
main:
  print (P 5).x
  print P.origin.x

// expect: 5
// expect: 0
