// Checks map and filter return new lists and leave the original alone.
main:
  l := [1, 2, 3, 4]
  print (l.map: it * 10)
  print (l.filter: it % 2 == 0)
  print l

// expect: [10, 20, 30, 40]
// expect: [2, 4]
// expect: [1, 2, 3, 4]
