// Checks the in-* accessors, which truncate.
main:
  d := Duration --ms=1999
  print d.in-s
  print d.in-ms
  print d.in-us
  print (Duration --h=2).in-m
  print (Duration --m=179).in-h
  print (Duration --s=1 --ms=500).in-ms

// expect: 1
// expect: 1999
// expect: 1999000
// expect: 120
// expect: 2
// expect: 1500
