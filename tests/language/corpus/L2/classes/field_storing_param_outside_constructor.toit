// Checks that a field-storing parameter outside a constructor is an error.
class A:
  x := 0
  set .x:  // expect compile error:
main:
  A
