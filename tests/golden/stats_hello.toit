// golden: disasm --stats
main:
  print "hello"
