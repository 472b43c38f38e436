// Checks an indented lambda body whose value is its last expression.
main:
  f := :: | x |
    y := x + 1
    y * 2
  print (f.call 4)

// expect: 10
