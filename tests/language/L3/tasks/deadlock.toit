// When every task waits and none can wake another, the program stops
// with an error instead of hanging.
import monitor

main:
  ch := monitor.Channel
  print "before"
  ch.receive

// expect: before
// expect runtime error: DEADLOCK error.
