// Checks that a block cannot be stored in a collection.
f [b]:
  return [b]  // expect compile error:
main:
  f: 1
