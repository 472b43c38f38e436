// Calls a primitive with bad arguments (through the core library).
main:
  print "bad arguments"
  b := ByteArray 4
  b[7] = 1
