// A receiver-only primitive method (float.to-int is `__prim__` on `this`)
// runs without a frame of its own on the fast path; when it fails, the
// trace still shows it, just as a real call would.
main:
  print 2.0.sqrt
  print "hello".size
  print 2.5.to-int
  e := catch: (0.0 / 0.0).to-int
  print e
  x := 0.0 / 0.0
  x.to-int
// expect: 1.4142135623730951
// expect: 5
// expect: 2
// expect: INVALID_ARGUMENT
// expect runtime error: 0: float.to-int
