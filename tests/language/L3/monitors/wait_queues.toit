// Many tasks wait on several objects; setting one latch wakes exactly its
// waiters; canceled and timed-out waiters leave their queues cleanly.
import monitor

main:
  latches := List 10: monitor.Latch
  woke := List 10: 0
  tasks := []
  50.repeat: | i |
    t := task::
      v := latches[i % 10].get
      woke[i % 10] += v
    tasks.add t
  yield
  // Cancel the waiters of latch 3 (tasks 3, 13, 23, 33, 43).
  5.repeat: tasks[3 + it * 10].cancel
  // Time out a separate waiter of latch 5.
  timed-out := false
  task::
    e := catch: with-timeout --ms=5: latches[5].get
    timed-out = e == "DEADLINE_EXCEEDED"
  sleep --ms=20
  [7, 2, 9, 0, 1, 4, 6, 8, 5, 3].do: | k |
    latches[k].set k + 1
    yield
  print woke
  print timed-out

// expect: [5, 10, 15, 0, 25, 30, 35, 40, 45, 50]
// expect: true
