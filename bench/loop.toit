// Nested integer loops: a multiply, an add and a modulo per iteration.
main:
  sum := 0
  for i := 0; i < 3000; i++:
    for j := 0; j < 3000; j++:
      sum = (sum + i * j) % 1000003
  print sum
