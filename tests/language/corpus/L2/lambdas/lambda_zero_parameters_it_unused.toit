// Checks a lambda that ignores its arguments.
main:
  f := :: 42
  print f.call
  print (f.call 1 2)

// expect: 42
// expect: 42
