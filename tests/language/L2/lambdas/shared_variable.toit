main:
  total := 10
  bump := :: total += 5
  bump.call
  bump.call
  print total
  total = 0
  bump.call
  print total

// expect: 20
// expect: 5
