// Checks that the value of a none call passed to an untyped parameter is null.
nothing: print "side effect"
show x: print "got $x"
main:
  show (nothing)

// expect: side effect
// expect: got null
