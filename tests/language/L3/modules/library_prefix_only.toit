// Library imports are reachable only through their prefix.
import math

main:
  print (sqrt 4)  // expect compile error: Unresolved identifier: 'sqrt'
