// Checks that float division by zero gives inf/-inf/nan without an exception.
main:
  print 1.0 / 0
  print -1.0 / 0.0
  print (0.0 / 0.0).is-nan
  print 1 / 0.0

// expect: inf
// expect: -inf
// expect: true
// expect: inf
