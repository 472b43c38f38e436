// Checks reading and updating a mutable global from functions.
counter := 0
bump: counter++
main:
  bump
  bump
  counter += 10
  print counter

// expect: 12
