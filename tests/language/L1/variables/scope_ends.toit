main:
  if true:
    inner := 5
    print inner
  inner := 6
  print inner

// expect: 5
// expect: 6
