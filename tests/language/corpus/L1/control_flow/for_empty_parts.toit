// Checks for with empty init, condition and update.
main:
  i := 0
  for ;;:
    i++
    if i == 3: break
  print i
  for ; i < 5;: i++
  print i

// expect: 3
// expect: 5
