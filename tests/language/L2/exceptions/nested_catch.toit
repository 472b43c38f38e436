main:
  outer := catch:
    inner := catch: throw "INNER"
    print "inner caught $inner"
    throw "OUTER"
  print outer

// expect: inner caught INNER
// expect: OUTER
