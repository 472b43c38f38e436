// Checks that n.repeat calls the block with 0..n-1.
main:
  3.repeat: print it
  0.repeat: print "never"
  sum := 0
  5.repeat: | i | sum += i
  print sum

// expect: 0
// expect: 1
// expect: 2
// expect: 10
