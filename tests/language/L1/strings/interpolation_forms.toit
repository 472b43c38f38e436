main:
  name := "Toit"
  n := 42
  print "Hello $name!"
  print "n+1=$(n + 1)"
  print "size=$name.size"
  print "got $n."
  print "$name$n"

// expect: Hello Toit!
// expect: n+1=43
// expect: size=4
// expect: got 42.
// expect: Toit42
