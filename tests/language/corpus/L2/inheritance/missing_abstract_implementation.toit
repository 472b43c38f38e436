// Checks that a non-abstract class must implement inherited abstract methods.
abstract class Shape:
  abstract area -> float
class Blob extends Shape:  // expect compile error:
main:
  print Blob
