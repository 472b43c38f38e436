// An uncaught object whose stringify itself throws is still reported (with
// the VM's description of the value), and the exit code is 1.
class Bad:
  stringify: throw "nope"
main:
  print "before"
  throw Bad

// expect: before
// expect runtime error: a Bad
