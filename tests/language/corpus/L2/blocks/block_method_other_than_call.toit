// Checks that only .call may be used on a block.
f [b]:
  print b.stringify  // expect compile error:
main:
  f: 1
