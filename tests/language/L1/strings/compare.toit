main:
  print "abc" == "abc"
  print "abc" != "abd"
  print "abc" < "abd"
  print "b" > "abc"
  print "ab" <= "ab"
  print ("a".compare-to "b")

// expect: true
// expect: true
// expect: true
// expect: true
// expect: true
// expect: -1
