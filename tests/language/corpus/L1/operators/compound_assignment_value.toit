// Checks that a compound assignment is an expression whose value is the stored value.
main:
  x := 1
  print (x += 4)
  y := (x *= 2)
  print y
  print x

// expect: 5
// expect: 10
// expect: 10
