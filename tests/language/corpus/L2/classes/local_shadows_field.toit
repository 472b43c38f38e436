// Checks that a local in a method may not shadow a field.
class A:
  x := 1
  f:
    x := 2  // expect compile error: shadows outer field definition
    return x
main:
  print (A).f
