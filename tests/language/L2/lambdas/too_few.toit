main:
  f := :: | a b | a
  print (catch: f.call 1)

// expect: CODE_INVOCATION_FAILED
