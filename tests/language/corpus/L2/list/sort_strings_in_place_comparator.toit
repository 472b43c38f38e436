// Checks sort --in-place with a comparator.
main:
  l := ["ccc", "a", "bb"]
  l.sort --in-place: | a b | a.size - b.size
  print l

// expect: [a, bb, ccc]
