// Checks that a block cannot be returned.
f [b]:
  return b  // expect compile error: Can't return a block
main:
  f: 1
