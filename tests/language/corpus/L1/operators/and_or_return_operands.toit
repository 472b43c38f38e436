// Checks that and/or return one of their operands, not necessarily a bool.
main:
  print (0 and "zero is truthy")
  print (null or "default")
  print (false and 1)
  print (3 or 4)
  print (null and 1)
  print (false or null)

// expect: zero is truthy
// expect: default
// expect: false
// expect: 3
// expect: null
// expect: null
