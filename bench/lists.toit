// Append, index and sort 200k ints from a deterministic LCG.
main:
  seed := 42
  list := []
  for i := 0; i < 200000; i++:
    seed = (seed * 1103515245 + 12345) % 2147483648
    list.add seed % 1000000
  sum := 0
  for i := 0; i < list.size; i += 7: sum += list[i]
  sorted := list.sort
  print "$sum $sorted[0] $sorted[100000] $sorted[199999]"
