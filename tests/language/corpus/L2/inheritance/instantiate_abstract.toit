// Checks that instantiating an abstract class is a compile error.
abstract class Shape:
  abstract area -> float
main:
  s := Shape  // expect compile error:
