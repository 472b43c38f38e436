// An optional positional parameter before a required one, in a method.
class A:
  m a b=0 c: return a  // expect compile error: can't follow an optional
main:
  print 1
