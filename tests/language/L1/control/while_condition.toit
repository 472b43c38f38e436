main:
  n := 3
  while n > 0:
    print n
    n--
  print "done"

// expect: 3
// expect: 2
// expect: 1
// expect: done
