// A global's initializer runs the first time the global is read.
trace := []
make name:
  print "init $name"
  return name

A := make "A"
B := make "B"

main:
  print "start"
  print B
  print A
  print B

// expect: start
// expect: init B
// expect: B
// expect: init A
// expect: A
// expect: B
