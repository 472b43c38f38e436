// Checks to-ascii-upper and to-ascii-lower; non-ASCII letters are unchanged.
main:
  print "Hello, World 1!".to-ascii-upper
  print "Hello, World 1!".to-ascii-lower
  print "é-a".to-ascii-upper

// expect: HELLO, WORLD 1!
// expect: hello, world 1!
// expect: é-A
