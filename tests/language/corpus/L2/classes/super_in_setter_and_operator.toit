// Checks super calls inside an overriding setter and operator.
class A:
  v := 0
  val= x: v = x
  operator + o: return "A+$o"
class B extends A:
  val= x: super = x * 10
  operator + o: return "B(" + (super o) + ")"
main:
  b := B
  b.val = 2
  print b.v
  print b + 1

// expect: 20
// expect: B(A+1)
