// Checks that a function ending in `while true:` without break needs no final return.
first-over limit -> int:
  i := 0
  while true:
    i++
    if i * i > limit: return i
main:
  print (first-over 50)

// expect: 8
