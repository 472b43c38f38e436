main:
  s := "aé!"
  print s[0]
  print s[1]
  print s[2]
  print s[3]
  print (s.at --raw 2)

// expect: 97
// expect: 233
// expect: null
// expect: 33
// expect: 169
