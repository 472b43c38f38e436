// Checks index-of, index-of --if-absent and contains (using ==).
main:
  l := [5, 3, 8, 3]
  print (l.index-of 3)
  print (l.index-of 7)
  print (l.index-of 7 --if-absent=: "none")
  print (l.contains 8)
  print (l.contains 4)
  print ([1.0].contains 1)

// expect: 1
// expect: -1
// expect: none
// expect: true
// expect: false
// expect: true
