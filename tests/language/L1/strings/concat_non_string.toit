main:
  print "a" + 1

// expect runtime error: WRONG_ARGUMENT_TYPE
