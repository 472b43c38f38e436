// Checks that Time.monotonic-us is an int that does not decrease, and Time.now is a Time.
main:
  a := Time.monotonic-us
  b := Time.monotonic-us
  print (a is int)
  print b >= a
  print (Time.now is Time)

// expect: true
// expect: true
// expect: true
