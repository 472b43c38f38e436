import math show sqrt PI

main:
  print (sqrt 2)
  print PI

// expect: 1.4142135623730951
// expect: 3.141592653589793
