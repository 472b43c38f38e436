// Checks that a setter with two parameters is a compile error.
class C:
  x= a b: return  // expect compile error:
main:
  print 1
