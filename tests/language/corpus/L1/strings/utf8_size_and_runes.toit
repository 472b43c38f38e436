// Checks that size counts bytes and size --runes counts code points.
main:
  print "é".size
  print "aé!".size
  print ("aé!".size --runes)
  print "€".size
  print "".size
  print "".is-empty
  print "x".is-empty

// expect: 2
// expect: 4
// expect: 3
// expect: 3
// expect: 0
// expect: true
// expect: false
