main:
  try:
    print "body"
  finally:
    print "cleanup"
  print "after"

// expect: body
// expect: cleanup
// expect: after
