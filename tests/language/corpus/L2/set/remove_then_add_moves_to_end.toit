// Checks that a removed and re-added element goes to the end of the insertion order.
main:
  s := {1, 2, 3}
  s.remove 1
  s.add 1
  print s

// expect: {2, 3, 1}
