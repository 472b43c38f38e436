// Checks the VM message for a block called with too few arguments.
call1 [b]: return b.call 1
main:
  call1: | a b | a + b

// expect runtime error: Called block with too few arguments
