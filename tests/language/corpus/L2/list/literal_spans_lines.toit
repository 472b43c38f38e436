// Checks a list literal across lines with trailing comma.
main:
  l := [
    1,
      2,
    3,
  ]
  print l

// expect: [1, 2, 3]
