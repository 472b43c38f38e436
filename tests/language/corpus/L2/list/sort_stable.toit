// Checks that sort is stable.
main:
  l := ["bb", "a", "cc", "d", "ee"]
  print (l.sort: | x y | x.size - y.size)

// expect: [a, d, bb, cc, ee]
