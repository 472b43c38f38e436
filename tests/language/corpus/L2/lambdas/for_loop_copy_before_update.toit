// Checks that the per-iteration copy is made before the update, which acts on the new copy.
main:
  fns := []
  for i := 0; i < 6; i++:
    fns.add (:: i)
    i++
  print (fns.map: it.call)

// expect: [1, 3, 5]
