// Checks set literals, add, contains, remove, size and insertion order.
main:
  s := {3, 1, 2}
  s.add 1
  s.add 4
  print s
  print (s.contains 2)
  s.remove 3
  print s
  print s.size
  print {}

// expect: {3, 1, 2, 4}
// expect: true
// expect: {1, 2, 4}
// expect: 3
// expect: {}
