// Checks that plain objects have no hash-code.
class C:
id x: return x
main:
  c := id C
  print (catch: c.hash-code)

// expect: LOOKUP_FAILED
