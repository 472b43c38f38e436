// Checks that `||` is an error (use `or`).
main:
  print (true || false)  // expect compile error:
