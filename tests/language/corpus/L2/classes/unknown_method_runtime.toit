// Checks that calling a missing method on an object throws LOOKUP_FAILED.
class A:
id x: return x
main:
  a := id A
  print (catch: a.missing)

// expect: LOOKUP_FAILED
