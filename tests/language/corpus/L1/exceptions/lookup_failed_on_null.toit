// Checks that calling a method on null throws LOOKUP_FAILED.
id x: return x
main:
  x := id null
  print (catch: x.foo)

// expect: LOOKUP_FAILED
