// Locals may shadow functions.
foo: return 1

main:
  foo := 2
  print foo

// expect: 2
