// Checks that a block sees the current value of a caller's local at each call.
run-three [b]:
  3.repeat: b.call
main:
  n := 0
  run-three:
    n += 2
    print n

// expect: 2
// expect: 4
// expect: 6
