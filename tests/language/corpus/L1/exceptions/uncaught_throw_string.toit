// Checks that an uncaught thrown string ends the program with the string on stderr.
main:
  print "before"
  throw "MY_ERROR"

// expect: before
// expect runtime error: MY_ERROR
