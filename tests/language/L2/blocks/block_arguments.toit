apply x [f]: return f.call x

main:
  print (apply 3: it * 2)
  print (apply 3: | v | v + 1)
  r := apply 5: | v |
    v * v
  print r

// expect: 6
// expect: 4
// expect: 25
