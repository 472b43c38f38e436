// Checks the ranges of random, random n and random a b.
main:
  ok := true
  100.repeat:
    r := random
    if not 0 <= r < 0x1000_0000: ok = false
    n := random 10
    if not 0 <= n < 10: ok = false
    m := random 5 8
    if not 5 <= m < 8: ok = false
  print ok
  print (random 0)
  print (random -5)
  print (random 1)

// expect: true
// expect: 0
// expect: 0
// expect: 0
