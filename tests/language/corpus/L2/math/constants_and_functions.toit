// Checks math constants and functions returning floats.
import math
main:
  print math.PI
  print math.E
  print (math.sqrt 16)
  print (math.sqrt 2)
  print (math.pow 2 10)
  print (math.sin 0)
  print (math.cos 0)
  print (math.exp 0)
  print (math.log math.E)
  print (math.log 8 2)
  print (math.atan2 1 1)
  print (math.tanh 0)

// expect: 3.141592653589793
// expect: 2.718281828459045
// expect: 4.0
// expect: 1.4142135623730951
// expect: 1024.0
// expect: 0.0
// expect: 1.0
// expect: 1.0
// expect: 1.0
// expect: 3.0
// expect: 0.7853981633974483
// expect: 0.0
