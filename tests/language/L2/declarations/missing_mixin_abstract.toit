// A class must implement the abstract members of its mixins.
abstract mixin M:
  abstract name -> string
class C extends Object with M:  // expect compile error: missing an implementation of 'name'
main:
  print C
