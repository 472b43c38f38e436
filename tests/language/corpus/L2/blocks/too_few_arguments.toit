// Checks that a block called with too few arguments throws CODE_INVOCATION_FAILED.
call1 [b]: return b.call 1
main:
  print (catch: call1: | a b | a + b)

// expect: CODE_INVOCATION_FAILED
