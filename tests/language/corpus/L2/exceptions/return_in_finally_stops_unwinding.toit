// Checks that a return inside finally during unwinding stops the unwinding.
f:
  try:
    throw "lost"
  finally:
    return "from finally"
  unreachable
main:
  print (catch: f)
  print f

// expect: null
// expect: from finally
