main:
  s := "hello world"
  print (s.contains "lo w")
  print (s.starts-with "hell")
  print (s.ends-with "world")
  print (s.index-of "o")
  print (s.index-of "o" --last)
  print (s.index-of "zz")
  print (s.index-of "o" 5)

// expect: true
// expect: true
// expect: true
// expect: 4
// expect: 7
// expect: -1
// expect: 7
