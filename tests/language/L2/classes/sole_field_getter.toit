// x.f on a local where only one class has f (INVOKE_FIELD_LOCAL): subclasses,
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
  n := null
  print (catch: n.px)
  i := 3
  print i.px

// expect: 7
// expect: 7
// expect: 2
// expect: 2
// expect: LOOKUP_FAILED
// expect runtime error: Class 'SmallInteger_' does not have any method 'px'.
