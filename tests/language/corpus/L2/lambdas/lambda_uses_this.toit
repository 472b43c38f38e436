// Checks that lambdas created in methods can use this and fields.
class C:
  n := 5
  adder: return :: it + n
main:
  c := C
  f := c.adder
  c.n = 10
  print (f.call 1)

// expect: 11
