main:
  s := {1, 2, 3}
  s.add 2
  s.add 4
  print s
  print (s.contains 3)
  s.remove 1
  print s
  print s.size
  print {}
  print ({1, 2} == {2, 1})

// expect: {1, 2, 3, 4}
// expect: true
// expect: {2, 3, 4}
// expect: 3
// expect: {}
// expect: true
