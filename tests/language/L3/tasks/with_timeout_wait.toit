// A timeout also ends a wait in a monitor.
import monitor

main:
  latch := monitor.Latch
  e := catch:
    with-timeout --ms=10:
      latch.get
  print e

// expect: DEADLINE_EXCEEDED
