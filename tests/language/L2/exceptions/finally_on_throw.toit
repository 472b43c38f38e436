main:
  e := catch:
    try:
      throw "X"
    finally:
      print "cleanup"
  print e

// expect: cleanup
// expect: X
