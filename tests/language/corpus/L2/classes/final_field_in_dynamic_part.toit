// Checks that a final field can't be assigned in the dynamic part of a constructor.
class A:
  x /int
  constructor:
    x = 1
    print this
    x = 2  // expect compile error: Can't assign final field in dynamic part of constructor
main:
  A
