main:
  ok := true
  100.repeat:
    r := random 10
    if r < 0 or r >= 10: ok = false
    s := random 5 8
    if s < 5 or s >= 8: ok = false
    t := random
    if t < 0 or t >= 0x1000_0000: ok = false
  print ok
  print (random 0)
  print (random -3)
  print (random 4 4)

// expect: true
// expect: 0
// expect: 0
// expect: 4
