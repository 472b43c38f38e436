// Checks that floats cannot be map keys (LOOKUP_FAILED).
main:
  m := {:}
  print (catch: m[1.5] = 1)

// expect: LOOKUP_FAILED
