// super in setters, index operators and unary operators; `super =` outside
// a setter is an error.
class A:
  log := []
  x= v: log.add "A.x=$v"
  operator [] i: return "A[$i]"
  operator - : return "A-"
class B extends A:
  x= v:
    super = v + 1
    log.add "B.x=$v"
  operator [] i: return "B(" + (super i) + ")"
  operator - : return "B(" + super + ")"
  plain v:
    super = v  // expect compile error: Can't assign to this expression
main:
  b := B
  b.x = 1
  print b.log
  print b[2]
  print -b
