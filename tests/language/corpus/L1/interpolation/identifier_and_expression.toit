// Checks $name and $(expr) interpolation.
main:
  name := "Toit"
  n := 42
  print "Hello $name, n=$n, n+1=$(n + 1)"
  print "$n$n"

// expect: Hello Toit, n=42, n+1=43
// expect: 4242
