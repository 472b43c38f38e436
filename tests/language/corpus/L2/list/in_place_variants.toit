// Checks map --in-place and filter --in-place modify the list itself.
main:
  l := [1, 2, 3, 4]
  l.map --in-place: it * 2
  print l
  l.filter --in-place: it > 4
  print l

// expect: [2, 4, 6, 8]
// expect: [6, 8]
