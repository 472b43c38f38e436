main:
  l := [1, 2, 3, 4]
  print (l.map: it * 10)
  print (l.filter: it % 2 == 0)
  print (l.reduce: | a b | a + b)
  print (l.any: it > 3)
  print (l.every: it > 3)

// expect: [10, 20, 30, 40]
// expect: [2, 4]
// expect: 10
// expect: true
// expect: false
