// Checks that `T?` is not allowed after `is`.
main:
  x := 3
  print (x is int?)  // expect compile error:
