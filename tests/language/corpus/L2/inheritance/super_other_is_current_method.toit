// Checks that `super` with no arguments calls the superclass's version of the current method.
class A:
  describe: return "A"
class B extends A:
  describe: return "B over " + super
main:
  print (B).describe

// expect: B over A
