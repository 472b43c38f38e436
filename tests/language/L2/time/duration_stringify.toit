main:
  print (Duration --s=1 --ms=500)
  print (Duration --m=2)
  print (Duration --m=1 --s=30)
  print (Duration --h=1)
  print (Duration --h=1 --m=2 --s=3 --ms=4)
  print (Duration --ms=3)
  print (Duration --us=3)
  print (Duration 3)
  print (Duration --s=-1)
  print Duration.ZERO

// expect: 1.5s
// expect: 2m0s
// expect: 1m30s
// expect: 1h0m0s
// expect: 1h2m3.004s
// expect: 3ms
// expect: 3us
// expect: 3ns
// expect: -1s
// expect: 0s
