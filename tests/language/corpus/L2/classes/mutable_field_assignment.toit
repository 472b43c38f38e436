// Checks assignment and compound assignment of fields from outside.
class C:
  n := 0
main:
  c := C
  c.n = 5
  c.n += 2
  print c.n

// expect: 7
