// Blocks reading and writing variables of enclosing frames (one and two
// levels up), and counting loops whose limit is a field that changes.
class Counter:
  n := 0
  limit := 5
  run -> int:
    for i := 0; i < limit; i++:
      n++
      if i == 2: limit = 8           // the loop sees the new limit
    return n

each list/List [block]:
  list.do: block.call it

main:
  total := 0
  [1, 2, 3].do: total += it
  print total
  outer := 10
  each [1, 2]:
    inner := 0
    [5, 6].do:
      inner += it
      outer += it * 10               // two levels up
    total += inner
  print outer
  print total
  print (Counter).run
  count := 0
  l := [1, 2, 3, 4]
  for i := 0; i < l.size; i++:
    if i == 0: l.add 5
    count++
  print count

// expect: 6
// expect: 230
// expect: 28
// expect: 8
// expect: 5
