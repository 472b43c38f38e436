// Checks that `this` is not available in a static method.
class C:
  n := 1
  static f: return this  // expect compile error:
main:
  print C.f
