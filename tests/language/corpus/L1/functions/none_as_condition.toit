// Checks that using a none-valued call as a condition is a compile error.
nothing: print "side effect"
main:
  if nothing: print "yes"  // expect compile error:
