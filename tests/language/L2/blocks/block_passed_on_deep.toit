// Blocks passed on through several calls, as named block arguments, and a
// non-local return through them.
level3 [b]: return b.call 3
level2 [b]: return level3 b
level1 [--on] : return level2 on
find-first list [pred]:
  list.do: if pred.call it: return it
  return null
first-even list:
  return find-first list: it % 2 == 0
early:
  level1 --on=: return "early"
  return "late"
main:
  print (level1 --on=: it * 100)
  print (first-even [1, 3, 4, 6])
  print early
  print (catch: level3: | a b | a)

// expect: 300
// expect: 4
// expect: early
// expect: CODE_INVOCATION_FAILED
