// Checks that a global's initializer runs on first read, once.
TABLE ::= make-table
make-table:
  print "building"
  return [10, 20, 30]
main:
  print "start"
  print TABLE[1]
  print TABLE[2]

// expect: start
// expect: building
// expect: 20
// expect: 30
