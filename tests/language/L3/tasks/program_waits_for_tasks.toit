// main returning does not end the program while tasks run.
main:
  task::
    sleep --ms=20
    print "late"
  print "main done"

// expect: main done
// expect: late
