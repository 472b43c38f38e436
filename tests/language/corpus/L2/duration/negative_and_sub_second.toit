// Checks Go-style stringify of negative and sub-second durations.
main:
  print (Duration --ms=-1500)
  print (Duration --us=1500)
  print (Duration --ms=100)
  print (Duration --s=61 --ms=500)

// expect: -1.5s
// expect: 1.5ms
// expect: 100ms
// expect: 1m1.5s
