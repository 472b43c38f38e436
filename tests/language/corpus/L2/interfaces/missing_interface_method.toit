// Checks that a class must implement every interface method.
interface I:
  f -> int
class C implements I:  // expect compile error:
main:
  print C
