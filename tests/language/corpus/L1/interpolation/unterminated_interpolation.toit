// Checks that an unclosed $( is a compile error.
main:
  print "$(1 + 2"  // expect compile error:
