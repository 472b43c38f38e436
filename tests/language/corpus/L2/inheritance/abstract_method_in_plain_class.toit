// Checks that abstract methods are only allowed in abstract classes.
class A:
  abstract f  // expect compile error:
main:
  A
