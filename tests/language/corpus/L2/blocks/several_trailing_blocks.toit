// Checks several trailing blocks, each on its own line.
choose x [a] [b]: return x ? a.call : b.call
main:
  r := choose false
    : "first"
    : "second"
  print r

// expect: second
