// Checks that Map == is identity.
main:
  a := {"k": 1}
  b := {"k": 1}
  print a == b
  print a == a

// expect: false
// expect: true
