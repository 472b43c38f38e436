// Checks that `it` names the first argument when the block declares no parameters.
call2 [b]: return b.call 3 4
main:
  print (call2: it * 10)

// expect: 30
