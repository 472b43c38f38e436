// Checks catch --unwind: rethrows when the block returns true.
main:
  outer := catch:
    inner := catch --unwind=(: it == "PASS-ON"):
      throw "PASS-ON"
    print "not reached"
  print outer
  x := catch --unwind=(: it == "PASS-ON"):
    throw "KEEP"
  print x

// expect: PASS-ON
// expect: KEEP
