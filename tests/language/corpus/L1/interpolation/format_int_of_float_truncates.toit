// Checks that %d applies to-int to a float, truncating.
main:
  print "$(%d 3.7)"
  print "$(%d -3.7)"

// expect: 3
// expect: -3
