// A relative import makes the module's names available unprefixed.
import ._modules.geometry

main:
  print (area 3 4)
  print TAU
  print (describe-area 2 5)

// expect: 12
// expect: 6.28
// expect: area 10 (via helpers)
