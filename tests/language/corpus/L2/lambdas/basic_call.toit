// Checks lambda creation and .call with it and explicit parameters.
main:
  inc := :: it + 1
  add := :: | a b | a + b
  print (inc.call 41)
  print (add.call 2 3)
  print (add.call 1 2 3)
  print inc

// expect: 42
// expect: 5
// expect: 3
// expect: lambda
