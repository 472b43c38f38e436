// A global read while its own initializer runs throws.
X := compute

compute:
  return X + 1

main:
  print (catch: X)

// expect: INITIALIZATION_IN_PROGRESS
