main:
  print (min 3 7)
  print (max 3 7)
  print (min 2.5 1)
  print (max "a" "b")

// expect: 3
// expect: 7
// expect: 1
// expect: b
