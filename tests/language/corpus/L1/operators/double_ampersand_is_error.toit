// Checks that `&&` is an error (use `and`).
main:
  print (true && false)  // expect compile error:
