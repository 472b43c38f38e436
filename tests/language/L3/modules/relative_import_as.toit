// `import .x as p` reaches the names through the prefix only.
import ._modules.geometry as geo

main:
  print (geo.area 2 3)
  print geo.TAU

// expect: 6
// expect: 6.28
