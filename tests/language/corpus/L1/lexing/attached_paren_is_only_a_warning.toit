// Checks that `f(x)` (attached parenthesis) only draws a warning: the program runs.
twice x: return x * 2
main:
  print(twice(4))

// expect: 8
