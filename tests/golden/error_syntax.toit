main:
  if true print 1
  s := "never closed
  y := 0x
