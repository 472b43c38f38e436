// Checks left-to-right evaluation of operands and arguments.
t x:
  print "t$x"
  return x
add3 a b c: return a + b + c
main:
  print (t 1) + (t 2) * (t 3)
  print (add3 (t 4) (t 5) (t 6))

// expect: t1
// expect: t2
// expect: t3
// expect: 7
// expect: t4
// expect: t5
// expect: t6
// expect: 15
