// Checks contains, remove, clear and is-empty.
main:
  m := {1: "one", 2: "two"}
  print (m.contains 1)
  m.remove 1
  print (m.contains 1)
  print m
  m.clear
  print m.is-empty
  print m

// expect: true
// expect: false
// expect: {2: two}
// expect: true
// expect: {:}
