// Checks that operators can't be static.
class A:
  static operator + other: return 1  // expect compile error:
main:
  print 1
