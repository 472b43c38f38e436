// Checks that constructors are not inherited.
class A:
  constructor x:
class B extends A:
  constructor:
    super 1
main:
  b := B 5  // expect compile error:
