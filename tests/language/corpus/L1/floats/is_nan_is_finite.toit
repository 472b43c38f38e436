// Checks is-nan and is-finite.
main:
  print float.NAN.is-nan
  print 1.0.is-nan
  print 1.0.is-finite
  print float.INFINITY.is-finite
  print float.NAN.is-finite

// expect: true
// expect: false
// expect: true
// expect: false
// expect: false
