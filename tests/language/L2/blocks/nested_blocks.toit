main:
  total := 0
  [1, 2].do: | a |
    [10, 20].do: | b |
      total += a * b
  print total

// expect: 90
