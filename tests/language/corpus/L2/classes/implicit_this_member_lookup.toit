// Checks that bare names resolve to locals first, then members, then globals.
x := "global"
class C:
  x := "field"
  show: print x
  show-local:
    y := "local"
    print y
  show-this x: print this.x
main:
  c := C
  c.show
  c.show-local
  c.show-this "param"

// expect: field
// expect: local
// expect: field
