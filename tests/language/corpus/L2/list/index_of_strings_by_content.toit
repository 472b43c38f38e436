// Checks that index-of compares strings by content.
main:
  l := ["a", "b" + "c"]
  print (l.index-of "bc")

// expect: 1
