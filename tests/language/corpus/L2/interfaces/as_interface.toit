// Checks `as` with an interface type.
interface I:
  f -> int
class A implements I:
  f -> int: return 1
class B:
id x: return x
main:
  print ((id A) as I).f
  print (catch: (id B) as I)

// expect: 1
// expect: AS_CHECK_FAILED
