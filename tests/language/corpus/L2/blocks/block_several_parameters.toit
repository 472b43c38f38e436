// Checks a block with several parameters and a callee passing several arguments.
each-pair list [b]:
  for i := 0; i + 1 < list.size; i += 2:
    b.call list[i] list[i + 1]
main:
  each-pair [1, 2, 3, 4]: | x y | print x * y

// expect: 2
// expect: 12
