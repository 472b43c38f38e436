main:
  f := :: | a | a
  print (f.call 1 2 3)

// expect: 1
