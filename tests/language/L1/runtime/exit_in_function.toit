stop: exit 0

main:
  print 1
  stop
  print 2

// expect: 1
