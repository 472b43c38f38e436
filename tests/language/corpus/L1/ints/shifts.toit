// Checks <<, arithmetic >> and logical >>>.
main:
  print 1 << 10
  print -16 >> 2
  print -1 >>> 60
  print 16 >>> 2
  print -1 >> 10
  print 1 << 63

// expect: 1024
// expect: -4
// expect: 15
// expect: 4
// expect: -1
// expect: -9223372036854775808
