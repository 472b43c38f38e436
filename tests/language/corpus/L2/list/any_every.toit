// Checks any and every.
main:
  l := [1, 2, 3]
  print (l.any: it > 2)
  print (l.any: it > 5)
  print (l.every: it > 0)
  print (l.every: it > 1)
  print ([].every: false)

// expect: true
// expect: false
// expect: true
// expect: false
// expect: true
