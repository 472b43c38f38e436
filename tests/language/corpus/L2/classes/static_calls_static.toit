// Checks that a static method can call another static of the same class unqualified.
class U:
  static a: return 1
  static b: return a + 1
main:
  print U.b

// expect: 2
