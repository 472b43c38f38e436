// Checks that `return` in a block inside main ends main.
main:
  [1, 2, 3].do:
    print it
    if it == 2: return
  print "not reached"

// expect: 1
// expect: 2
