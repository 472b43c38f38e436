// Named arguments are evaluated in source order, for constructors and
// virtual calls too, whatever the declaration order.
trace x:
  print "eval $x"
  return x

class P:
  a /int
  b /int
  constructor --a/int --b/int:
    this.a = a
    this.b = b
  show --x --y: return "$x $y"

main:
  p := P --b=(trace 2) --a=(trace 1)
  print "$p.a $p.b"
  print (p.show --y=(trace "y") --x=(trace "x"))

// expect: eval 2
// expect: eval 1
// expect: 1 2
// expect: eval y
// expect: eval x
// expect: x y
