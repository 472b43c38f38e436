// Checks identical for objects, numbers and strings.
class C:
main:
  a := C
  print (identical a a)
  print (identical a C)
  print (identical 1 1)
  print (identical 1 1.0)
  print (identical 0.0 -0.0)
  print (identical float.NAN float.NAN)
  print (identical "ab" "a" + "b")

// expect: true
// expect: false
// expect: true
// expect: false
// expect: false
// expect: true
// expect: true
