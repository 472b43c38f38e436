// Checks that Lists cannot be set elements.
main:
  s := {}
  print (catch: s.add [1])

// expect: LOOKUP_FAILED
