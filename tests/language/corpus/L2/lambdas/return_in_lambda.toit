// Checks that return inside a lambda is a compile error.
main:
  f := :: return 1  // expect compile error: Can't explicitly return from within a lambda
