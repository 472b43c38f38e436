// Checks that a lambda called with too few arguments throws CODE_INVOCATION_FAILED.
main:
  f := :: | a b | a
  print (catch: f.call 1)

// expect: CODE_INVOCATION_FAILED
