// Checks that continue.label v makes v the value of the block call.
main:
  r := [1, 2, 3].map:
    if it == 2: continue.map 20
    it
  print r

// expect: [1, 20, 3]
