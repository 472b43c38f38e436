// Checks element-wise list equality.
main:
  print [1, 2] == [1, 2]
  print [1, 2] == [2, 1]
  print [1, [2]] == [1, [2]]
  print [] == []
  print [1] == [1.0]

// expect: true
// expect: false
// expect: true
// expect: true
// expect: true
