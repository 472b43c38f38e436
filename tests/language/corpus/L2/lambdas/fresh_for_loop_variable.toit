// Checks that each for-loop iteration has its own loop variable.
main:
  fns := []
  for i := 0; i < 3; i++:
    fns.add (:: i * 100)
  print (fns.map: it.call)

// expect: [0, 100, 200]
