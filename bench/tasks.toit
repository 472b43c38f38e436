// Many tasks ping-ponging through channels: a ring of 100 tasks passes a
// counter around until it has made 200,000 hops.
import monitor

TASKS ::= 100
HOPS ::= 200_000

main:
  channels := List TASKS: monitor.Channel 1
  done := monitor.Latch
  TASKS.repeat: | i |
    input := channels[i]
    output := channels[(i + 1) % TASKS]
    task --background::
      while true:
        v := input.receive
        if v == HOPS:
          done.set v
        else:
          output.send v + 1
  channels[0].send 0
  print done.get
