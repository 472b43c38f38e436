// Checks that if is an expression with the value of the taken branch or null.
main:
  kind := if 7 % 2 == 0: "even" else: "odd"
  print kind
  x := if false: 1
  print x
  y := if true:
    a := 2
    a * 10
  else:
    0
  print y

// expect: odd
// expect: null
// expect: 20
