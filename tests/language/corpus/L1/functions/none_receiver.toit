// Checks that calling a method on a none-valued call is a compile error.
nothing: print "side effect"
main:
  print nothing.stringify  // expect compile error:
