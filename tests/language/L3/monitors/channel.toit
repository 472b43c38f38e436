import monitor

main:
  ch := monitor.Channel 2
  task::
    5.repeat: ch.send it
    ch.send null
  while true:
    v := ch.receive
    if v == null: break
    print v

// expect: 0
// expect: 1
// expect: 2
// expect: 3
// expect: 4
