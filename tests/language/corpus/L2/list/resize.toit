// Checks resize growing with nulls and shrinking.
main:
  l := [1, 2]
  l.resize 4
  print l
  l.resize 1
  print l

// expect: [1, 2, null, null]
// expect: [1]
