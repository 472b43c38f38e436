// Checks List.join on strings and non-strings.
main:
  print (["a", "b", "c"].join ", ")
  print (["x"].join "-")
  print ([].join "-").size
  print ([1, 2, 3].join "+")

// expect: a, b, c
// expect: x
// expect: 0
// expect: 1+2+3
