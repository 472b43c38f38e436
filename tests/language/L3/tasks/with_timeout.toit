// with-timeout throws DEADLINE_EXCEEDED at the first yield point after the
// deadline; a body that finishes in time returns its value.
main:
  e := catch:
    with-timeout --ms=10:
      sleep --ms=5_000
  print e
  r := with-timeout --ms=1000: 42
  print r
  // Nested: the earliest deadline wins; the outer one is restored after.
  e = catch:
    with-timeout --ms=1000:
      with-timeout --ms=5:
        sleep --ms=200
  print "inner $e"
  with-timeout --ms=1000:
    sleep --ms=1
  print "outer restored"
  e = catch: with-timeout (Duration --ms=5): sleep --ms=100
  print e

// expect: DEADLINE_EXCEEDED
// expect: 42
// expect: inner DEADLINE_EXCEEDED
// expect: outer restored
// expect: DEADLINE_EXCEEDED
