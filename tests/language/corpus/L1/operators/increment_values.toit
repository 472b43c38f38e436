// Checks postfix ++/-- (old value) and prefix ++ (new value).
main:
  x := 5
  print x++
  print x
  print x--
  print x
  print ++x
  print x

// expect: 5
// expect: 6
// expect: 6
// expect: 5
// expect: 6
// expect: 6
