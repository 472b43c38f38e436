// Waiters sleep until another task ran; a producer that sleeps between
// items still wakes the consumer each time.
import monitor

main:
  ch := monitor.Channel 1
  task::
    5.repeat:
      sleep --ms=2
      ch.send it
  sum := 0
  5.repeat: sum += ch.receive
  print sum

// expect: 10
