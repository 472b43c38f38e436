// Checks that interpolation is the way to combine strings with other values.
main:
  n := 3
  print "n=$n" + "!"

// expect: n=3!
