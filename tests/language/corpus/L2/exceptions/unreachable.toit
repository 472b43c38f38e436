// Checks that unreachable throws "Unreachable".
main:
  print (catch: unreachable)

// expect: Unreachable
