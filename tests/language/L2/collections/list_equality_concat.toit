main:
  print [1, 2] == [1, 2]
  print [1, 2] == [2, 1]
  print [1] + [2, 3]
  print ([1, 2, 3].join "-")

// expect: true
// expect: false
// expect: [1, 2, 3]
// expect: 1-2-3
