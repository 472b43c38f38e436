// Checks index-of with from/to bounds and --last.
main:
  s := "hello"
  print (s.index-of "l")
  print (s.index-of "l" 3)
  print (s.index-of "z")
  print (s.index-of "l" 0 2)
  print (s.index-of --last "l")
  print ("aéb".index-of "b")

// expect: 2
// expect: 3
// expect: -1
// expect: -1
// expect: 3
// expect: 3
