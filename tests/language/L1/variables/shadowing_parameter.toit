f x:
  x := 2  // expect compile error: shadows earlier definition
  return x

main:
  print (f 1)
