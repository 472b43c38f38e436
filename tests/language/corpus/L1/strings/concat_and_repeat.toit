// Checks + concatenation and * repetition.
main:
  print "ab" + "cd"
  print "ab" * 3
  print "[$("x" * 0)]"
  s := "a"
  s += "b"
  print s

// expect: abcd
// expect: ababab
// expect: []
// expect: ab
