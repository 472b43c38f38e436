// Checks that the implicit super call happens before the first statement using this.
class A:
  constructor:
    print "A"
class B extends A:
  x := 0
  constructor:
    print "static"
    x = 5
    print "dynamic $x"
main:
  B

// expect: static
// expect: A
// expect: dynamic 5
