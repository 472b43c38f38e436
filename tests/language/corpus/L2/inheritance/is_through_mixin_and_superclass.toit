// Checks that `is` sees interfaces implemented by a superclass and mixins.
interface I:
  f
mixin M:
  g: return 1
class A implements I:
  f: return 0
class B extends A with M:
main:
  b := B
  print (b is I)
  print (b is M)
  print (b is A)

// expect: true
// expect: true
// expect: true
