// Checks that an attached '-' before a decimal literal makes a negative literal argument.
id x: return x
main:
  print (id -5)
  print -5 + 2

// expect: -5
// expect: -3
