// Checks that get --init does not call the block when the key is present.
main:
  m := {"a": 1}
  v := m.get "a" --init=:
    print "called"
    99
  print v
  print m

// expect: 1
// expect: {a: 1}
