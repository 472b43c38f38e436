// Checks that a negative list index is an error.
main:
  l := [1, 2, 3]
  i := -1
  print (catch: l[i]) != null

// expect: true
