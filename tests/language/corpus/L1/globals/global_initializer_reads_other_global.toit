// Checks that a global initializer may read another global, initializing it first.
B := trace-b
A := B + 1
trace-b -> int:
  print "init B"
  return 10
main:
  print "start"
  print A
  print B

// expect: start
// expect: init B
// expect: 11
// expect: 10
