// Checks sort (new list), sort with comparator and sort --in-place.
main:
  l := [5, 3, 8, 1]
  print l.sort
  print l
  print (l.sort: | a b | b - a)
  l.sort --in-place
  print l
  print (["b", "c", "a"].sort)

// expect: [1, 3, 5, 8]
// expect: [5, 3, 8, 1]
// expect: [8, 5, 3, 1]
// expect: [1, 3, 5, 8]
// expect: [a, b, c]
