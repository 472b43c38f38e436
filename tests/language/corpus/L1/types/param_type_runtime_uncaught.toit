// Checks the VM message for a failed parameter type check.
f x/int: return x
id x: return x
main:
  f (id "s")

// expect runtime error: As check failed
