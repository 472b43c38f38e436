main:
  print "bad \q escape"  // expect compile error: Invalid escape sequence
