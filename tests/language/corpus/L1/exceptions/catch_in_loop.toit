// Checks that catch can be used repeatedly and the program continues.
main:
  z := 0
  count := 0
  5.repeat:
    if (catch: 1 / z) == "DIVISION_BY_ZERO": count++
  print count

// expect: 5
