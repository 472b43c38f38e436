call-with-none [b]: return b.call

main:
  print (catch: call-with-none: | a b | a)

// expect: CODE_INVOCATION_FAILED
