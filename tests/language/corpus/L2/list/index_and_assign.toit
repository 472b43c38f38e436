// Checks list indexing and index assignment, also compound.
main:
  l := [1, 2, 3]
  l[0] = 10
  l[2] += 5
  print l
  print l[1]

// expect: [10, 2, 8]
// expect: 2
