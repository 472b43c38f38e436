abstract class Shape:
  abstract area -> float

main:
  s := Shape  // expect compile error: Can't instantiate abstract class 'Shape'
