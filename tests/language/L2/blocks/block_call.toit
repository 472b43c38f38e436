twice [action]:
  action.call
  action.call

main:
  twice: print "hi"

// expect: hi
// expect: hi
