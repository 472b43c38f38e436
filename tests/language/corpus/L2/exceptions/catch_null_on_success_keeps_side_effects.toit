// Checks that code before a throw inside catch has run.
main:
  x := 0
  e := catch:
    x = 5
    throw "E"
    x = 6
  print x
  print e

// expect: 5
// expect: E
