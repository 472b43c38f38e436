call-with-two [b]: return b.call 1 2

main:
  print (call-with-two: 7)
  print (call-with-two: | a | a)

// expect: 7
// expect: 1
