// Checks that `==` with null is identity and does not call the user operator.
class A:
  operator == other:
    print "called"
    return true
main:
  a := A
  print a == null
  print null == a
  print a == a

// expect: false
// expect: false
// expect: called
// expect: true
