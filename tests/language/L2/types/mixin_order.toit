// With several mixins the later one wins; the class's own methods win over both.
mixin M1:
  who: return "M1"
  what: return "M1"
mixin M2:
  who: return "M2"

class C extends Object with M1 M2:
  what: return "C"

main:
  c := C
  print c.who
  print c.what

// expect: M2
// expect: C
