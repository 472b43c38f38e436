main:
  if 1 > 2: print "a" else: print "b"

// expect: b
