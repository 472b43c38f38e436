// Checks that floats cannot be set elements.
main:
  s := {}
  print (catch: s.add 1.5)

// expect: LOOKUP_FAILED
