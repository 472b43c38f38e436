// Checks a non-local return from a block nested in another block.
find-pair list/List target/int:
  list.do: | a |
    list.do: | b |
      if a + b == target: return "$a+$b"
  return "none"
main:
  print (find-pair [1, 2, 3] 5)
  print (find-pair [1, 2] 9)

// expect: 2+3
// expect: none
