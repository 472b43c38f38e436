// Checks float.parse.
main:
  print (float.parse "1.5")
  print (float.parse "-2")
  print (float.parse "1e3")

// expect: 1.5
// expect: -2.0
// expect: 1000.0
