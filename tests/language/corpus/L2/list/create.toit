// Checks the List constructors and literals.
main:
  print (List 3)
  print (List 2 "x")
  print (List 4: it * it)
  print (List.from {1, 2})
  print [1, 2, 3,]
  print List

// expect: [null, null, null]
// expect: [x, x]
// expect: [0, 1, 4, 9]
// expect: [1, 2]
// expect: [1, 2, 3]
// expect: []
