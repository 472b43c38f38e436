// Leading, trailing and doubled underscores are part of the name.
_hidden := 1
trailing_ := 2
a__b := 3

main:
  print _hidden
  print trailing_
  print a__b

// expect: 1
// expect: 2
// expect: 3
