// Checks Deque is-empty and do.
main:
  d := Deque
  print d.is-empty
  d.add 1
  d.add-first 0
  d.add 2
  d.do: print it
  print d.is-empty

// expect: true
// expect: 0
// expect: 1
// expect: 2
// expect: false
