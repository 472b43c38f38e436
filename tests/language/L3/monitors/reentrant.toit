// A task that holds a monitor's lock can call its other methods; `await`
// releases every level while it waits and takes them all back.
monitor Counter:
  count := 0
  inc: count++
  inc-twice:
    inc
    inc
  wait-and-inc n/int:
    inc
    await: count >= n
    inc

main:
  c := Counter
  c.inc-twice
  print c.count
  task:: c.wait-and-inc 5
  yield
  print c.count
  c.inc-twice
  c.inc
  yield
  print c.count

// expect: 2
// expect: 3
// expect: 7
