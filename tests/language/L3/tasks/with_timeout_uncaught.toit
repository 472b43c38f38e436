// An uncaught DEADLINE_EXCEEDED is an error.
main:
  with-timeout --ms=5:
    sleep --ms=100

// expect runtime error: DEADLINE_EXCEEDED
