import math

main:
  print (math.sqrt 16)
  print math.PI
  print (math.pow 2 10)
  print (math.log 100 10)
  print math.E

// expect: 4.0
// expect: 3.141592653589793
// expect: 1024.0
// expect: 2.0
// expect: 2.718281828459045
