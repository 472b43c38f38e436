// Checks that typed parameters are checked on entry at run time.
f x/int: return x
id x: return x
main:
  print (f 1)
  print (catch: f (id "s"))

// expect: 1
// expect: AS_CHECK_FAILED
