// Cyclic imports are allowed: each module sees the other's names.
import ._modules.cyc_a
import ._modules.cyc_b

main:
  print a-uses-b
  print b-uses-a

// expect: 12
// expect: 21
