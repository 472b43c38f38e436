class A:
class B:

main:
  a := A
  b := a as B

// expect runtime error: As check failed: an A is not a B.
