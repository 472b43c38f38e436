// A class with only named constructors has no unnamed one.
class A:
  constructor.x:

main:
  a := A  // expect compile error: Class 'A' has only named constructors
