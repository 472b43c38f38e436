// Checks that the middle operand of a comparison chain is evaluated once.
count := 0
mid:
  count++
  return 5
main:
  print 1 < (mid) < 10
  print count

// expect: true
// expect: 1
