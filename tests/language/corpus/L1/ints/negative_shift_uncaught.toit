// Checks that an uncaught negative shift count reports NEGATIVE_ARGUMENT.
main:
  n := -3
  print 1 << n

// expect runtime error: NEGATIVE_ARGUMENT
