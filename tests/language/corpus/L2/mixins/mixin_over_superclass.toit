// Checks that a mixin's method overrides the superclass's method, and the class's own wins over both.
class B:
  who: return "B"
  what: return "B-what"
mixin M:
  who: return "M"
  what: return "M-what"
class C extends B with M:
  what: return "C-what"
main:
  c := C
  print c.who
  print c.what

// expect: M
// expect: C-what
