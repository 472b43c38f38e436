// Checks byte-wise string comparison and equality by content.
main:
  print "abc" == "abc"
  print "abc" != "abd"
  print "abc" < "abd"
  print "b" > "abc"
  print "ab" < "abc"
  print "é" > "z"
  print "a" <= "a"
  print ("x" + "y") == "xy"

// expect: true
// expect: true
// expect: true
// expect: true
// expect: true
// expect: true
// expect: true
// expect: true
