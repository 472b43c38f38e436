// Checks copy, +, join, swap and fill.
main:
  l := [1, 2, 3]
  c := l.copy
  c[0] = 9
  print l
  print l + [4]
  print (l.join "-")
  l.swap 0 2
  print l
  l.fill 7
  print l

// expect: [1, 2, 3]
// expect: [1, 2, 3, 4]
// expect: 1-2-3
// expect: [3, 2, 1]
// expect: [7, 7, 7]
