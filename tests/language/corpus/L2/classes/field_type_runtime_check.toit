// Checks that stores into a typed field are checked at run time.
class C:
  n /int := 0
id x: return x
main:
  c := C
  print (catch: c.n = (id "x"))
  print c.n

// expect: AS_CHECK_FAILED
// expect: 0
