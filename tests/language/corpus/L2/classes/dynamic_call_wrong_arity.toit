// Checks that a dynamic call with no matching shape throws LOOKUP_FAILED.
class C:
  f x: return x
id x: return x
main:
  c := id C
  print (catch: c.f 1 2)

// expect: LOOKUP_FAILED
