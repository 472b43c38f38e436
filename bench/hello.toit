main:
  print "hello"
