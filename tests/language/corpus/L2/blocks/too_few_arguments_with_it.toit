// Checks that using `it` makes a block need one argument.
call0 [b]: return b.call
main:
  print (catch: call0: it)

// expect: CODE_INVOCATION_FAILED
