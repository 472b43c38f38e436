class Box:
  value := 0

main:
  b := Box
  b.value = 5
  b.value += 2
  print b.value

// expect: 7
