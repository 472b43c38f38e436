import monitor

main:
  m := monitor.Mutex
  log := []
  2.repeat: | id |
    task::
      m.do:
        log.add "in $id"
        yield
        log.add "out $id"
  sleep --ms=10
  print log

// expect: [in 0, out 0, in 1, out 1]
