// sleep --ms=0 returns at once without yielding.
main:
  task:: print "other"
  sleep --ms=0
  print "first"

// expect: first
// expect: other
