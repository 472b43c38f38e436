main:
  add := :: | a b | a + b
  print (add.call 2 3)
  inc := :: it + 1
  print (inc.call 41)
  print add

// expect: 5
// expect: 42
// expect: lambda
