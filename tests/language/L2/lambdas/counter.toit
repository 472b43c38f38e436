make-counter:
  count := 0
  return ::
    count++
    count

main:
  c := make-counter
  c.call
  c.call
  print c.call
  d := make-counter
  print d.call

// expect: 3
// expect: 1
