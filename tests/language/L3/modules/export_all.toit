// `export *` re-exports everything a module imported, so `r.area` works
// through the prefix of the module that re-exports it.
import ._modules.reexport as r

main:
  print r.EXTRA
  print (r.area 2 3)
  print r.TAU

// expect: 7
// expect: 6
// expect: 6.28
