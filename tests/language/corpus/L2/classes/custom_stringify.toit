// Checks that print and interpolation use a user-defined stringify.
class P:
  x := 1
  stringify: return "P($x)"
main:
  p := P
  print p
  print "got $p"
  print [p, p]

// expect: P(1)
// expect: got P(1)
// expect: [P(1), P(1)]
