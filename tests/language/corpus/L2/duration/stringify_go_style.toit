// Checks the Go-style stringify of durations (examples of §15).
main:
  print (Duration --s=1 --ms=500)
  print (Duration --m=2)
  print (Duration --s=90)
  print (Duration --h=1)
  print (Duration --h=1 --m=2 --s=3 --ms=4)
  print (Duration --ms=3)
  print (Duration --us=3)
  print (Duration --ns=3)
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
