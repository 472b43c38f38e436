main:
  print -2.5.abs
  print 2.0.sqrt
  print -0.0.sign
  print 0.0.sign
  print 3.5.sign
  print (3.14159.to-string --precision=2)
  print (float.parse "1.5")

// expect: 2.5
// expect: 1.4142135623730951
// expect: -1
// expect: 0
// expect: 1
// expect: 3.14
// expect: 1.5
