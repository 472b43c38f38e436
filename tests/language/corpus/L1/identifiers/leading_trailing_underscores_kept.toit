// Checks that leading, trailing and doubled underscores are significant.
_x := 1
x_ := 2
a__b := 3
main:
  print _x
  print x_
  print a__b

// expect: 1
// expect: 2
// expect: 3
