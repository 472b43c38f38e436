// Checks that lists hold references: mutating an inner list is visible through the outer one.
main:
  inner := [1]
  outer := [inner, inner]
  inner.add 2
  print outer

// expect: [[1, 2], [1, 2]]
