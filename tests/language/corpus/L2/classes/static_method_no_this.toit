// Checks a static method called through the class name.
class MathUtil:
  static twice x: return x * 2
main:
  print (MathUtil.twice 21)

// expect: 42
