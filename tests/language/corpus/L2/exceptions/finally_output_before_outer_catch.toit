// Checks the order of finally output and the outer catch.
f:
  try:
    throw "E1"
  finally:
    print "finally f"
main:
  e := catch: f
  print "caught $e"

// expect: finally f
// expect: caught E1
