// Checks that shift counts >= 64 give 0 (or -1 for >> of a negative value).
main:
  n := 64
  print 1 << n
  print 5 >> n
  print -5 >> n
  print -5 >>> n
  print 1 << 100

// expect: 0
// expect: 0
// expect: -1
// expect: 0
// expect: 0
