// Checks that a lambda created in a loop iteration can modify that iteration's variable only.
main:
  fns := []
  for i := 0; i < 2; i++:
    fns.add (:: i += 10)
  print (fns.map: it.call)
  print (fns.map: it.call)

// expect: [10, 11]
// expect: [20, 21]
