// Checks that named arguments are evaluated in source order, before defaults.
t x:
  print "t$x"
  return x
f --a --b c=(t 9): return a + b + c
main:
  print (f --b=(t 1) --a=(t 2))

// expect: t1
// expect: t2
// expect: t9
// expect: 12
