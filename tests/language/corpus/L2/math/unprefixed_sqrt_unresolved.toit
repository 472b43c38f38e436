// Checks that library imports are reachable only through the prefix.
import math
main:
  print (sqrt 4)  // expect compile error: Unresolved identifier: 'sqrt'
