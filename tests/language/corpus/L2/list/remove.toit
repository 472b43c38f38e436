// Checks remove-last, remove (first occurrence), remove --at and clear.
main:
  l := [1, 2, 3, 2, 4]
  print l.remove-last
  l.remove 2
  print l
  l.remove 42
  print l
  l.remove --at=0
  print l
  l.clear
  print l
  print l.is-empty

// expect: 4
// expect: [1, 3, 2]
// expect: [1, 3, 2]
// expect: [3, 2]
// expect: []
// expect: true
