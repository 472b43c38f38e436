// Checks that a constructor with `return expr` is a factory returning that object.
class V:
  x /int
  constructor .x:
  constructor.zero:
    return V 0
main:
  v := V.zero
  print v.x
  print (v is V)

// expect: 0
// expect: true
