main:
  l := [1, 2, 3]
  l.insert --at=1 9
  print l
  print l.remove-last
  l.remove 9
  print l
  l.resize 4
  print l
  l.clear
  print l.is-empty

// expect: [1, 9, 2, 3]
// expect: 3
// expect: [1, 2]
// expect: [1, 2, null, null]
// expect: true
