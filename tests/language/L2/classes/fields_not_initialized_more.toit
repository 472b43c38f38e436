// Every constructor must initialize `x /T` and `x := ?` fields; field
// parameters and assignments count; factories do not.
class A:
  x /int
  y := ?
  constructor .x:  // expect compile error: Field 'y' not initialized
  constructor.both .x .y:
  constructor.assigning:
    x = 1
    this.y = 2
  constructor.factory:
    return A.both 1 2
class B:  // expect compile error: Field 'z' not initialized
  z /string
main:
  print (A.both 1 2).x
  print B
