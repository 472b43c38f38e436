main:
  print "[$("  x y  ".trim)]"
  print "[$("  x  ".trim --left)]"
  print "[$("  x  ".trim --right)]"
  print "MiXed 1".to-ascii-upper
  print "MiXed 1".to-ascii-lower

// expect: [x y]
// expect: [x  ]
// expect: [  x]
// expect: MIXED 1
// expect: mixed 1
