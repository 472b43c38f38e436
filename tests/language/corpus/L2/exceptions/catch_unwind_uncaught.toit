// Checks that catch --unwind rethrows to the top when nothing else catches.
main:
  catch --unwind=(: true):
    throw "ESCAPED"
  print "not reached"

// expect runtime error: ESCAPED
