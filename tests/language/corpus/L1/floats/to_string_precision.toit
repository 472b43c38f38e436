// Checks to-string --precision.
main:
  print (3.14159.to-string --precision=2)
  print (2.0.to-string --precision=3)
  print 2.5.stringify

// expect: 3.14
// expect: 2.000
// expect: 2.5
