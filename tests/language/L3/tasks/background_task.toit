// A background task does not keep the program alive.
main:
  task --background::
    sleep --ms=5000
    print "never"
  print "bye"

// expect: bye
