// Checks the global helpers min and max.
main:
  print (min 3 7)
  print (max 3 7)
  print (min -1 -2)
  print (max 2 1.5)

// expect: 3
// expect: 7
// expect: -2
// expect: 2
