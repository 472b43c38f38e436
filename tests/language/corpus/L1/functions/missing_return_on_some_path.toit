// Checks that a function with `return expr` must return on all paths.
f x:  // expect compile error: Method doesn't return a value on all paths
  if x: return 1
main:
  print (f true)
