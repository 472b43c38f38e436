// Checks that T? accepts null and non-nullable T does not.
f x/int?: return x
g x/int: return x
id x: return x
main:
  print (f null)
  print (f 2)
  print (catch: g (id null))

// expect: null
// expect: 2
// expect: AS_CHECK_FAILED
