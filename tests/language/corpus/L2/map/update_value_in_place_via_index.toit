// Checks compound assignment through map indexing.
main:
  m := {"n": 1}
  m["n"] += 4
  print m

// expect: {n: 5}
