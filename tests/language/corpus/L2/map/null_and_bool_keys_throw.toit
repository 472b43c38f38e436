// Checks that null and bools cannot be map keys.
main:
  m := {:}
  print (catch: m[null] = 1)
  print (catch: m[true] = 1)

// expect: LOOKUP_FAILED
// expect: LOOKUP_FAILED
