// Checks that math has no max (use the core max).
import math
main:
  print (math.max 1 2)  // expect compile error:
