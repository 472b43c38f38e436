// Checks that a chain stops evaluating after the first false comparison.
count := 0
side x:
  count++
  return x
main:
  print 5 < 1 < (side 10)
  print count

// expect: false
// expect: 0
