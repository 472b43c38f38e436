f:
  try:
    return 1
  finally:
    print "cleanup"

main:
  print f

// expect: cleanup
// expect: 1
