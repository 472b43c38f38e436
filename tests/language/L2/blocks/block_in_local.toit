main:
  b := (: it * 3)
  print (b.call 4)

// expect: 12
