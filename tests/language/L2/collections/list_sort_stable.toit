main:
  pairs := [[1, "a"], [0, "b"], [1, "c"], [0, "d"]]
  sorted := pairs.sort: | x y | x[0] - y[0]
  print (sorted.map: it[1])

// expect: [b, d, a, c]
