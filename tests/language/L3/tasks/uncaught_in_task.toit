main:
  task::
    throw "TASK_FAILED"
  sleep --ms=10
  print "not reached"

// expect runtime error: TASK_FAILED
