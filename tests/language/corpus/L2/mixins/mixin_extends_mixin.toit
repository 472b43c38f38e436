// Checks a mixin extending another mixin.
mixin M1:
  a: return "a"
mixin M2 extends M1:
  b: return "b"
class C extends Object with M2:
main:
  c := C
  print c.a + c.b
  print (c is M1)

// expect: ab
// expect: true
