main:
  set-random-seed "abc"
  a := List 5: random 1000
  set-random-seed "abc"
  b := List 5: random 1000
  print a == b

// expect: true
