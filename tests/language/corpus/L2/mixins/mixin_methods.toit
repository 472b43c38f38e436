// Checks mixin methods copied into a class, with later mixins winning.
mixin M1:
  who: return "M1"
  one: return 1
mixin M2:
  who: return "M2"
class C extends Object with M1 M2:
main:
  c := C
  print c.who
  print c.one
  print (c is M1)

// expect: M2
// expect: 1
// expect: true
