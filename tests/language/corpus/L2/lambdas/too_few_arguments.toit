// Checks the runtime error for a lambda called with too few arguments.
main:
  f := :: | a b | a + b
  f.call 1

// expect runtime error: Called lambda with too few arguments
