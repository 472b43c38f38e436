// Checks continuation lines for operators and call arguments.
add3 a b c: return a + b + c
main:
  x := 1 + 2 +
      3
  print x
  y := add3
      10
      20
      30
  print y

// expect: 6
// expect: 60
