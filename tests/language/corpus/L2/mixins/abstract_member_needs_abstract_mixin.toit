// Checks that a mixin with an abstract member must be declared abstract.
mixin M:
  abstract f  // expect compile error:
main:
  print 1
