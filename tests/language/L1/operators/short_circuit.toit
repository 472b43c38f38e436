calls := 0
hit:
  calls++
  return true

main:
  x := false and hit
  y := true or hit
  print calls
  z := true and hit
  print calls

// expect: 0
// expect: 1
