// Checks that a global read during its own initialization throws INITIALIZATION_IN_PROGRESS.
A := compute-a
compute-a -> int:
  return A + 1
main:
  print (catch: A)

// expect: INITIALIZATION_IN_PROGRESS
