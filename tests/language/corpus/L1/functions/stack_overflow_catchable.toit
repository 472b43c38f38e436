// Checks that a stack overflow is thrown as the string STACK_OVERFLOW and can be caught.
down n: return (down n + 1) + 1
main:
  print (catch: down 0)
  print "still running"

// expect: STACK_OVERFLOW
// expect: still running
