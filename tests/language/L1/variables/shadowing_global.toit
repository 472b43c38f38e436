counter := 0

main:
  counter := 5  // expect compile error: shadows global variable
