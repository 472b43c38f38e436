// Checks that `return expr` in a -> none function is only a warning (the program runs).
f -> none:
  return 5
main:
  f
  print "ran"

// expect: ran
