// Checks that a declared return type is checked on return.
id x: return x
f -> int: return id "no"
main:
  print (catch: f)

// expect: AS_CHECK_FAILED
