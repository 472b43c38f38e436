// Checks $name[expr] interpolation, chained with '.'.
main:
  list := ["x", "yz"]
  print "first=$list[0] second-size=$list[1].size"

// expect: first=x second-size=2
