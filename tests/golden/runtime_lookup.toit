main:
  s := "abc"
  s.frobnicate 1
