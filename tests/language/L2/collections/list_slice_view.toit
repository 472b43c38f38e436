main:
  l := [1, 2, 3, 4, 5]
  s := l[1..3]
  print s
  s[0] = 20
  print l
  print l[3..]
  print l[..2]

// expect: [2, 3]
// expect: [1, 20, 3, 4, 5]
// expect: [4, 5]
// expect: [1, 20]
