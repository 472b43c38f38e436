// Checks overloading of methods by shape.
class C:
  f: return "zero"
  f x: return "one $x"
  f --named: return "named $named"
main:
  c := C
  print c.f
  print (c.f 1)
  print (c.f --named=2)

// expect: zero
// expect: one 1
// expect: named 2
