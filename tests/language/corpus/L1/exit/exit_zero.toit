// Checks that `exit 0` ends the program normally, skipping the rest.
f:
  exit 0
main:
  f
  print "not printed"

// expect exit: 0
