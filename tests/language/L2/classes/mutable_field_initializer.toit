class Counter:
  count := 10
  inc: count++

main:
  c := Counter
  c.inc
  c.inc
  print c.count

// expect: 12
