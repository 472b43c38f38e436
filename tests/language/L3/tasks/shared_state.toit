main:
  counter := 0
  3.repeat:
    task::
      5.repeat:
        counter++
        yield
  sleep --ms=10
  print counter

// expect: 15
