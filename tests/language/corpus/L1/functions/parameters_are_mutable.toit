// Checks that parameters can be assigned inside the body.
countdown n:
  while n > 0:
    print n
    n--
main:
  countdown 2

// expect: 2
// expect: 1
