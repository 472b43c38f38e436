main:
  a := Time.monotonic-us
  b := Time.monotonic-us
  print b >= a
  d := Duration.of: 100.repeat: it
  print d >= Duration.ZERO
  print Time.now > (Time.epoch --s=1700000000)

// expect: true
// expect: true
// expect: true
