// Checks that the named arguments of Duration are summed.
main:
  d := Duration --h=1 --m=1 --s=1 --ms=1 --us=1 --ns=1
  print d.in-ns
  print d.in-s

// expect: 3661001001001
// expect: 3661
