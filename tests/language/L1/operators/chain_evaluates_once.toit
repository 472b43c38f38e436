// The middle operand of a chain is evaluated once.
count := 0
next:
  count++
  return 5

main:
  print 1 < next < 10
  print count

// expect: true
// expect: 1
