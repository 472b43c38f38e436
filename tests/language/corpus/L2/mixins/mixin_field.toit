// Checks that a mixin may contribute fields.
mixin Counted:
  count := 0
  bump: count++
class C extends Object with Counted:
main:
  c := C
  c.bump
  c.bump
  print c.count

// expect: 2
