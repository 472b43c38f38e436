main:
  print (catch: unreachable)

// expect: Unreachable
