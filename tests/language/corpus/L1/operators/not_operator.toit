// Checks that `not` returns a bool from any value.
main:
  print (not true)
  print (not null)
  print (not 0)
  print (not "")
  x := not false
  print x

// expect: false
// expect: true
// expect: false
// expect: false
// expect: true
