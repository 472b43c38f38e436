main:
  s := "abc"
  print s[3]

// expect runtime error: OUT_OF_BOUNDS
