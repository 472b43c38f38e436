// Checks that break leaves only the innermost loop.
main:
  for i := 0; i < 3; i++:
    for j := 0; j < 3; j++:
      if j == 1: break
      print "$i$j"

// expect: 00
// expect: 10
// expect: 20
