// Checks that a block called with more arguments than it declares ignores the extras.
call2 [b]: return b.call 1 2
main:
  print (call2: | a | a * 10)

// expect: 10
