main:
  print (2.5).round
  print (-2.5).round
  print 3.99.to-int
  print -3.99.to-int
  print 3.7.floor
  print 3.2.ceil
  print -3.7.truncate

// expect: 3
// expect: -3
// expect: 3
// expect: -3
// expect: 3.0
// expect: 4.0
// expect: -3.0
