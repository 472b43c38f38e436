// Typed fields are checked on every store: setter, in-class assignment,
// field-storing parameters and initializers.
class P:
  n /int := 0
  s /string? := null
  constructor:
  constructor.with .n:
  set-n v: n = v
id x: return x
main:
  p := P
  print (catch: p.n = (id 1.5))
  print (catch: p.set-n (id "a"))
  print (catch: P.with (id "b"))
  p.s = null
  p.s = "ok"
  print p.s
  print (catch: p.s = (id 3))
  p.n = 7
  print p.n

// expect: AS_CHECK_FAILED
// expect: AS_CHECK_FAILED
// expect: AS_CHECK_FAILED
// expect: ok
// expect: AS_CHECK_FAILED
// expect: 7
