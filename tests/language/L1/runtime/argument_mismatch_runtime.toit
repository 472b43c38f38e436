main:
  s := "abc"
  s.size 1 2

// expect runtime error: Argument mismatch for 'string.size'.
