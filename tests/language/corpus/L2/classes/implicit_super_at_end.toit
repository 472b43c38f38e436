// Checks that without any use of this the implicit super call is at the end of the body.
class A:
  constructor:
    print "A"
class B extends A:
  constructor:
    print "B1"
    print "B2"
main:
  B

// expect: B1
// expect: B2
// expect: A
