// and/or return an operand, not necessarily a bool.
main:
  print (0 and "zero is truthy")
  print (null or "default")
  print (false or null)
  print ("a" and "b")
  print (null and 1)
  print (1 or 2)

// expect: zero is truthy
// expect: default
// expect: null
// expect: b
// expect: null
// expect: 1
