// Checks that a final field must be initialized by every constructor.
class A:
  x /int
  constructor:  // expect compile error: Field 'x' not initialized
    print "hi"
main:
  A
