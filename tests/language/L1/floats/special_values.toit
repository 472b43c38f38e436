main:
  print 1.0 / 0
  print -1.0 / 0
  print 0.0 / 0.0
  print float.INFINITY
  print float.NAN.is-nan
  print float.NAN == float.NAN
  print 1.0.is-finite
  print (1.0 / 0).is-finite

// expect: inf
// expect: -inf
// expect: nan
// expect: inf
// expect: true
// expect: false
// expect: true
// expect: false
