import monitor

main:
  latch := monitor.Latch
  task:: latch.set "ready"
  print latch.get
  sem := monitor.Semaphore --count=1
  sem.down
  task:: sem.up
  sem.down
  print "both"

// expect: ready
// expect: both
