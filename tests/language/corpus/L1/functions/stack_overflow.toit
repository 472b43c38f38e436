// Checks that unbounded recursion ends with STACK_OVERFLOW.
down n: return (down n + 1) + 1
main:
  print "start"
  print (down 0)

// expect: start
// expect runtime error: STACK_OVERFLOW
