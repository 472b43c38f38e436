main:
  i := 5
  print i++
  print i
  print ++i
  print i--
  print i

// expect: 5
// expect: 6
// expect: 7
// expect: 7
// expect: 6
