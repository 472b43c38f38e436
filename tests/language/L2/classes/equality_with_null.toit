// `==` with null is identity; a user `==` never sees null.
class Picky:
  operator == other:
    print "called"
    return true

main:
  p := Picky
  print p == null
  print null == p
  print p == p

// expect: false
// expect: false
// expect: called
// expect: true
