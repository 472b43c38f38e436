// A task that cancels itself runs on until its next yield point.
main:
  task::
    Task.current.cancel
    print "still running"
    yield
    print "not reached"
  sleep --ms=5
  print "main done"

// expect: still running
// expect: main done
