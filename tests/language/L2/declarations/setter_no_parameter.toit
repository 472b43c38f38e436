// A setter with no parameter is a compile error.
class C:
  x=: return  // expect compile error: exactly one parameter
main:
  print 1
