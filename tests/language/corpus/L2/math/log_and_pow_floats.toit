// Checks math.log with a base, math.pow with floats and trig inverse functions.
import math
main:
  print (math.log 100 10)
  print (math.pow 2.0 0.5)
  print (math.asin 1) * 2 == math.PI
  print (math.acos 1)

// expect: 2.0
// expect: 1.4142135623730951
// expect: true
// expect: 0.0
