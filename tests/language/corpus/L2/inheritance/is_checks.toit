// Checks `is` and `is not` on a class hierarchy and built-in types.
class A:
class B extends A:
main:
  b := B
  print (b is A)
  print (b is B)
  print ((A) is B)
  print (b is not A)
  print (3 is int)
  print (3 is float)
  print (3.0 is num)
  print ("s" is string)
  print (null is Object)
  print (null is string)

// expect: true
// expect: true
// expect: false
// expect: false
// expect: true
// expect: false
// expect: true
// expect: true
// expect: true
// expect: false
