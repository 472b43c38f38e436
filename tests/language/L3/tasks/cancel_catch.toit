// A canceled task can catch CANCELED; it is thrown again at each later
// yield point.
main:
  t := task::
    e := catch: sleep --ms=10_000
    print "caught $e"
    e = catch: yield
    print "again $e"
  yield
  t.cancel
  sleep --ms=5

// expect: caught CANCELED
// expect: again CANCELED
