// Checks that initializing a variable with a none-valued call is a compile error.
nothing: print "side effect"
main:
  x := nothing  // expect compile error: Variable can't be initialized with 'none'
  print x
