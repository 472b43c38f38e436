// Checks that Duration.of measures a block and returns a non-negative Duration.
main:
  d := Duration.of: 10.repeat: it * 2
  print (d is Duration)
  print d >= Duration.ZERO

// expect: true
// expect: true
