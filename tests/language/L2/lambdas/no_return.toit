main:
  f := :: return 3  // expect compile error: Can't explicitly return from within a lambda
