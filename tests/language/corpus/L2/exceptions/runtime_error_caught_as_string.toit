// Checks that built-in runtime errors are thrown as strings.
main:
  e := catch: [1][5]
  print (e is string)
  print e

// expect: true
// expect: OUT_OF_BOUNDS
