// Checks that ?: evaluates only the taken branch.
say x:
  print "say $x"
  return x
main:
  v := false ? (say 1) : (say 2)
  print v

// expect: say 2
// expect: 2
