// Checks that `exit n` terminates immediately with status n.
main:
  print "before"
  exit 3
  print "after"

// expect: before
// expect exit: 3
