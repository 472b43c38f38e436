// Checks that a static constant is initialized lazily on first access.
make:
  print "making"
  return 3
class C:
  static K ::= make
main:
  print "start"
  print C.K
  print C.K

// expect: start
// expect: making
// expect: 3
// expect: 3
