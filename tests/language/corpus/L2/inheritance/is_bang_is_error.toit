// Checks that the deprecated `is!` is an error (use `is not`).
main:
  x := 3
  print (x is! int)  // expect compile error:
