main:
  r := [1, 2, 3].map:
    if it == 2: continue.map 0
    it * 10
  print r

// expect: [10, 0, 30]
