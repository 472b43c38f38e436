// Checks that catch --trace still catches the exception and returns it.
main:
  e := catch --trace: throw "TRACED"
  print e
  print "after"

// expect: TRACED
// expect: after
