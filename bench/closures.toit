// Higher-order calls with blocks and lambdas.
apply-n n/int [block] -> int:
  acc := 0
  for i := 0; i < n; i++: acc = block.call acc i
  return acc

main:
  total := 0
  add := :: | a b | a + b
  for r := 0; r < 20; r++:
    total += apply-n 50000: | acc i | acc + i
    for i := 0; i < 50000; i++: total = add.call total 1
  print total
