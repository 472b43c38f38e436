// Checks interfaces extending interfaces and `is` through them.
interface A:
  a -> int
interface B extends A:
  b -> int
class C implements B:
  a -> int: return 1
  b -> int: return 2
main:
  c := C
  print (c is A)
  print (c is B)
  print c.a + c.b

// expect: true
// expect: true
// expect: 3
