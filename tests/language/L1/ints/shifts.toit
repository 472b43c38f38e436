main:
  print 1 << 10
  print -16 >> 2
  print -1 >>> 60
  print 5 >> 64
  print -5 >> 64
  print -5 >>> 64
  print 1 << 62

// expect: 1024
// expect: -4
// expect: 15
// expect: 0
// expect: -1
// expect: 0
// expect: 4611686018427387904
