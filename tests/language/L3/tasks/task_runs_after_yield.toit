main:
  task:: print "world"
  print "hello"

// expect: hello
// expect: world
