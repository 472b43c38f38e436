// Checks that interpolated null, bools and floats are stringified.
main:
  x := null
  print "$x $(true) $(1 == 2) $(1.5)"

// expect: null true false 1.5
