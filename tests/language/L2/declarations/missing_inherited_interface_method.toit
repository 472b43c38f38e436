// An interface inherited through a superclass must be implemented too.
interface I:
  f x -> int
abstract class A implements I:
class B extends A:  // expect compile error: missing an implementation of 'f'
  f -> int: return 1
main:
  print B
