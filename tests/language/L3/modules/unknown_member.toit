import math

main:
  print (math.nothing 1)  // expect compile error: Module 'math' has no member 'nothing'
