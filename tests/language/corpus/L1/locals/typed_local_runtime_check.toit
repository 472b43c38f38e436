// Checks that a store into a typed local is checked at run time.
get-value: return "not an int"
main:
  x /int := 0
  print (catch: x = get-value)
  print x

// expect: AS_CHECK_FAILED
// expect: 0
