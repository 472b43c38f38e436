// Definite assignment of `x := ?` through if/else, returns and loops.
f flag:
  x := ?
  if flag: x = 1
  else: x = 2
  y := ?
  if flag:
    y = 3
  else:
    return x
  z := ?
  while true:
    z = 5
    break
  return x + y + z
main:
  print (f true)
  print (f false)

// expect: 9
// expect: 2
