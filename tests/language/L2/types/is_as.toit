class A:
class B extends A:

main:
  b := B
  print b is A
  print b is B
  print A is B
  print 3 is int
  print 3 is num
  print 3.5 is float
  print "s" is string
  print null is A
  print b is not A
  x := b as A
  print x is B

// expect: true
// expect: true
// expect: false
// expect: true
// expect: true
// expect: true
// expect: true
// expect: false
// expect: false
// expect: true
