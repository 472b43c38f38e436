// Checks that a list slice is a view sharing storage, and copy detaches.
main:
  l := [0, 1, 2, 3, 4]
  s := l[1..3]
  print s
  s[0] = 10
  print l
  c := l[3..].copy
  c[0] = 99
  print l
  print l[..2]

// expect: [1, 2]
// expect: [0, 10, 2, 3, 4]
// expect: [0, 10, 2, 3, 4]
// expect: [0, 10]
