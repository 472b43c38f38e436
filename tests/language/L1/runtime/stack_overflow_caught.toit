forever n: return forever n + 1

main:
  print (catch: forever 0)
  print "still running"

// expect: STACK_OVERFLOW
// expect: still running
