// Checks that continue.do ends the current block invocation.
main:
  [1, 2, 3, 4].do:
    if it % 2 == 0: continue.do
    print "odd $it"

// expect: odd 1
// expect: odd 3
