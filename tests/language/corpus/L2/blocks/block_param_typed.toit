// Checks typed block parameters.
run [b]: return b.call 2 3
main:
  print (run: | a/int b/int | a * b)

// expect: 6
