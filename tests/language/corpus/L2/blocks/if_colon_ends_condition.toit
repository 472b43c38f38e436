// Checks that a block call inside an if condition must be parenthesized.
main:
  list := [1, 5]
  if (list.any: it > 3): print "some"

// expect: some
