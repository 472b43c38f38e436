main:
  d := Duration --s=90
  print d.in-m
  print d.in-s
  print d.in-ms
  print (d + (Duration --s=30)).in-m
  print (d - (Duration --s=90)) == Duration.ZERO
  print (Duration --s=1) < (Duration --s=2)
  print (d * 2).in-s
  print (d / 3).in-s

// expect: 1
// expect: 90
// expect: 90000
// expect: 2
// expect: true
// expect: true
// expect: 180
// expect: 30
