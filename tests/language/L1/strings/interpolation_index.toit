main:
  s := "hello"
  print "first: $s[0]"

// expect: first: 104
