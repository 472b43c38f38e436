main:
  x := null
  print (catch: x.size)
  print (catch: 3.no-such-method)

// expect: LOOKUP_FAILED
// expect: LOOKUP_FAILED
