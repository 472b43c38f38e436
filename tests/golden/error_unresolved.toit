main:
  x := 3
  print (undefined-thing x)
  print also-missing
