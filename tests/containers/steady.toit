// Builds up about 60 KB of live data a little at a time, beside whatever
// its neighbours do; with a reservation it must always get it.
main:
  kept := []
  20.repeat:
    kept.add (ByteArray 3000)
    sleep --ms=5
  print "steady kept $kept.size buffers"
