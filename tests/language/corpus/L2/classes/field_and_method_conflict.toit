// Checks that a field and a zero-parameter method with the same name conflict.
class C:
  x := 0
  x: return 1  // expect compile error:
main:
  print (C).x
