// Checks that a nullable return type still needs a return on all paths.
f x -> int?:  // expect compile error: Method doesn't return a value on all paths
  if x: return null
main:
  print (f true)
