// Checks that a condition may continue on a more-indented line.
main:
  a := true
  b := 3
  if a and
      b > 2:
    print "both"

// expect: both
