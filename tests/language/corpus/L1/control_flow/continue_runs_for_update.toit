// Checks that continue in a for loop still runs the update.
main:
  count := 0
  for i := 0; i < 5; i++:
    count++
    continue
  print count

// expect: 5
