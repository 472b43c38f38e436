// Checks that a local may not shadow a parameter.
f x:
  x := 3  // expect compile error: shadows
  return x
main:
  print (f 1)
