main:
  l := [5, 3, 8]
  l.add 1
  print l
  print l.size
  print l.first
  print l.last
  print (l.index-of 8)
  print (l.contains 4)
  l[0] = 50
  print l

// expect: [5, 3, 8, 1]
// expect: 4
// expect: 5
// expect: 1
// expect: 2
// expect: false
// expect: [50, 3, 8, 1]
