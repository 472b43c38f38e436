// Checks that a global assigned before its first read never runs its initializer.
value := init-value
init-value:
  print "initializer ran"
  return 1
main:
  value = 5
  print value

// expect: 5
