// Checks that a bare return leaves the function early.
f x:
  if x: return
  print "not returned"
main:
  f true
  f false

// expect: not returned
