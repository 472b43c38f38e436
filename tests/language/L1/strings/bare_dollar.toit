main:
  print "costs $ 5"  // expect compile error: Unexpected '$'
