// Checks that a variable defined outside a while loop is shared by all lambdas.
main:
  fns := []
  i := 0
  while i < 3:
    fns.add (:: i)
    i++
  print (fns.map: it.call)

// expect: [3, 3, 3]
