// Checks that only false and null are falsy.
t x: return x ? "T" : "F"
main:
  print (t 0)
  print (t 0.0)
  print (t "")
  print (t null)
  print (t false)
  print (t true)
  print (t -1)

// expect: T
// expect: T
// expect: T
// expect: F
// expect: F
// expect: T
// expect: T
