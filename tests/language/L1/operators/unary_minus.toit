main:
  x := 5
  print -x
  print -(-x)
  y := 2.5
  print -y
  print -0.0

// expect: -5
// expect: 5
// expect: -2.5
// expect: -0.0
