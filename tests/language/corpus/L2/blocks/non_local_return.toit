// Checks that `return` in a block returns from the enclosing function.
find-first list [pred]:
  list.do:
    if pred.call it: return it
  return null
main:
  print (find-first [1, 4, 9]: it > 3)
  print (find-first [1, 2]: it > 5)

// expect: 4
// expect: null
