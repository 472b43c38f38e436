// Checks that \$ is a literal dollar sign.
main:
  x := 3
  print "\$x is $x"

// expect: $x is 3
