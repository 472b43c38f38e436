// Checks that a block cannot be stored in a field.
class C:
  f := null
  set [b]:
    f = b  // expect compile error:
main:
  (C).set: 1
