// Checks add, add-all and insert --at.
main:
  l := [1]
  l.add 2
  l.add-all [3, 4]
  l.insert --at=0 0
  l.insert --at=2 99
  print l
  print l.size

// expect: [0, 1, 99, 2, 3, 4]
// expect: 6
