// Checks Deque add-first, remove-first, remove-last.
main:
  d := Deque
  d.add 2
  d.add 3
  d.add-first 1
  print d.size
  print d.remove-first
  print d.remove-last
  print d.first
  print d.size

// expect: 3
// expect: 1
// expect: 3
// expect: 2
// expect: 1
