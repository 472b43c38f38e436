// Field initializers and field parameters run before the body.
class A:
  x := 1
  y /int
  constructor .y:
    print "body sees $x $y"

main:
  A 5

// expect: body sees 1 5
