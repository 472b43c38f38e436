// Canceling a task that waits in a channel wakes it.
import monitor

main:
  ch := monitor.Channel
  t := task::
    try:
      ch.receive
    finally:
      print "receiver canceled"
  yield
  t.cancel
  yield
  print "done"

// expect: receiver canceled
// expect: done
