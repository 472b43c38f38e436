main:
  s := "aé!"
  print s.size
  print (s.size --runes)
  print "".is-empty
  print "x".is-empty

// expect: 4
// expect: 3
// expect: true
// expect: false
