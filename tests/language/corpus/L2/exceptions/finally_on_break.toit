// Checks that finally runs when break leaves the try.
main:
  while true:
    try:
      break
    finally:
      print "finally"
  print "after"

// expect: finally
// expect: after
