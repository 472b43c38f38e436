f x:  // expect compile error: Method doesn't return a value on all paths
  if x > 0: return 1

main:
  print (f 1)
