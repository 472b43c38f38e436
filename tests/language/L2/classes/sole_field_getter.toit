// x.f on a local and o.f = v where only one class has f (INVOKE_FIELD_LOCAL,
// INVOKE_FIELD_SET): subclasses,
// other receivers and null behave as with dispatch.
class P:
  px := 1
  py := 2
class Q extends P:
  qz := 3
class R:
  rx := 7
main:
  a := P
  b := Q
  print a.px + b.px + b.py + b.qz
  c := R
  print c.rx
  list := [a, b]
  list.do: print it.py
  b.px = 10
  a.py += 5
  b.qz -= 1
  print "$a.px $a.py $b.px $b.py $b.qz"
  b.px = 4
  print b.px
  n := null
  print (catch: n.px)
  print (catch: n.px = 3)
  i := 3
  print i.px

// expect: 7
// expect: 7
// expect: 2
// expect: 2
// expect: 1 7 10 2 2
// expect: 4
// expect: LOOKUP_FAILED
// expect: LOOKUP_FAILED
// expect runtime error: Class 'SmallInteger_' does not have any method 'px'.
