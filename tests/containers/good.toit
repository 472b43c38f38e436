// A well-behaved container: its output must be complete and in order
// whatever its neighbours do.
main:
  10.repeat:
    print "tick $it"
    sleep --ms=10
  print "done"
