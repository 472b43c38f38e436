// Checks add-all, filter, intersect and to-list.
main:
  s := {1, 2}
  s.add-all [2, 3]
  print s
  print (s.filter: it > 1).size
  print (s.intersect {2, 3, 4})
  print s.to-list

// expect: {1, 2, 3}
// expect: 2
// expect: {2, 3}
// expect: [1, 2, 3]
