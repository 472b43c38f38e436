main:
  x := 0
  if true:
    if true:
      if true:
        if true:
          x = 4
  print x

// expect: 4
