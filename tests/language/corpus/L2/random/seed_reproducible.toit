// Checks that set-random-seed makes the sequence reproducible.
main:
  set-random-seed "seed"
  a := List 5: random 1000
  set-random-seed "seed"
  b := List 5: random 1000
  print a == b

// expect: true
