// Checks that `and` binds tighter than `or`.
main:
  print (true or false and false)
  print (false and true or true)
  print (null or 1 and 2)

// expect: true
// expect: true
// expect: 2
