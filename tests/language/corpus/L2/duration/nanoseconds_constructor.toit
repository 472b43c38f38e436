// Checks that `Duration n` takes nanoseconds.
main:
  d := Duration 1_000_000_000
  print d
  print d.in-ns
  print (Duration 1500).in-us

// expect: 1s
// expect: 1000000000
// expect: 1
