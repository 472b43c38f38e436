helper:
  throw "MY_ERROR"

main:
  print "start"
  helper

// expect: start
// expect runtime error: MY_ERROR
