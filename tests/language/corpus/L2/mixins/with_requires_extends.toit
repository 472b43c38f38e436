// Checks that `with` requires an `extends` clause.
mixin M:
  m: return 1
class C with M:  // expect compile error:
main:
  print 1
