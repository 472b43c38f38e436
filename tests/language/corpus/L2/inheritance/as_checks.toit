// Checks `as`: returns the value or throws AS_CHECK_FAILED.
id x: return x
main:
  x := id "s"
  print (x as string)
  print (catch: x as int)
  print (catch: (id null) as Object)
  print (catch: (id null) as string)

// expect: s
// expect: AS_CHECK_FAILED
// expect: null
// expect: AS_CHECK_FAILED
