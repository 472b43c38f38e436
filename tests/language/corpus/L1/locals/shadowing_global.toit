// Checks that a local may not shadow a global variable.
counter := 0
main:
  counter := 5  // expect compile error: shadows global variable
  print counter
