// Takes all the memory it can get (the OUT_OF_MEMORY it ends with is
// caught) and holds it for a while.
main:
  kept := []
  e := catch:
    1000.repeat:
      kept.add (ByteArray 3000)
      yield
  print "hog: $e"
  sleep --ms=200
  print "hog done"
