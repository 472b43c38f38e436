find -> int:
  i := 0
  while true:
    i++
    if i * i > 50: return i

main:
  print find

// expect: 8
