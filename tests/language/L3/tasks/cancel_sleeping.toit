// Canceling a sleeping task wakes it: CANCELED is thrown at its yield
// point, its finally blocks run, and it is not an error for the program.
main:
  t := task::
    try:
      sleep --ms=10_000
      print "not reached"
    finally:
      print "cleanup"
  sleep --ms=5
  print t.is-canceled
  t.cancel
  print t.is-canceled
  yield
  print t.is-done
  print "end"

// expect: false
// expect: true
// expect: cleanup
// expect: true
// expect: end
