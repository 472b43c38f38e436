main:
  for i := 0; i < 3; i++:
    for j := 0; j < 3; j++:
      if j > i: break
      print "$i$j"

// expect: 00
// expect: 10
// expect: 11
// expect: 20
// expect: 21
// expect: 22
