main:
  print "ab" + "cd"
  print "ab" * 3
  print ("x" * 0).size

// expect: abcd
// expect: ababab
// expect: 0
