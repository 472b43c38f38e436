// `a op local` is one instruction (INVOKE_*_LOCAL); user operators, mixed
// ints and floats and a missing operator behave as with the plain form.
class V:
  x/int
  constructor .x:
  operator + o: return V x + (o is V ? o.x : o)
  operator * o: return V x * (o is V ? o.x : o)
  operator / o: return V x / (o is V ? o.x : o)
  stringify: return "V$x"

class Foo:

main:
  a := V 2
  b := V 5
  c := 3
  print a + b
  print a * c
  print (a * b) * c
  print (a * b) / c
  d := 2.5
  print 1.5 * d
  print (1.5 * d) * d
  print c * d
  print c - d
  print 7 / c
  e := 0
  print (catch: c / e)
  big := 0x7fff_ffff_ffff_ffff
  print big + c
  // `local op expr` evaluates expr first (it cannot see the local).
  print a + (c * c)
  print a * (c - 1)
  g := 10
  print g - (c * 2)
  print g - (d * 2)
  h := 1.5
  print h - (c * 2)
  print h * (d + 1)
  print big - (c - 4)
  print (catch: c - (big * big * big))
  f := Foo
  print f + (c * c)

// expect: V7
// expect: V6
// expect: V30
// expect: V3
// expect: 3.75
// expect: 9.375
// expect: 7.5
// expect: 0.5
// expect: 2
// expect: DIVISION_BY_ZERO
// expect: -9223372036854775806
// expect: V11
// expect: V4
// expect: 4
// expect: 5.0
// expect: -4.5
// expect: 5.25
// expect: -9223372036854775808
// expect: null
// expect runtime error: Class 'Foo' does not have any method '+'.
