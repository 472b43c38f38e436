// Checks that an empty block is an error.
run [b]: return b.call
main:
  run:  // expect compile error: Empty blocks are not allowed
