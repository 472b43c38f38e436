// Checks contains, starts-with and ends-with.
main:
  s := "hello world"
  print (s.contains "lo w")
  print (s.contains "xyz")
  print (s.starts-with "hell")
  print (s.starts-with "world")
  print (s.ends-with "world")
  print (s.contains "")

// expect: true
// expect: false
// expect: true
// expect: false
// expect: true
// expect: true
