main:
  start := Time.monotonic-us
  sleep (Duration --ms=30)
  print (Time.monotonic-us - start) >= 30_000

// expect: true
