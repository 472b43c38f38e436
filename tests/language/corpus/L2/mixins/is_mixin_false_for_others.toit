// Checks that `is M` is false for classes without the mixin.
mixin M:
  m: return 1
class A:
class B extends Object with M:
main:
  print ((A) is M)
  print ((B) is M)

// expect: false
// expect: true
