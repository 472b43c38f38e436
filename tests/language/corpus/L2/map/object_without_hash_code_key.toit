// Checks that objects without hash-code cannot be map keys.
class K:
main:
  m := {:}
  print (catch: m[K] = 1)

// expect: LOOKUP_FAILED
