main:
  x := null
  print "x is $x, t is $true"

// expect: x is null, t is true
