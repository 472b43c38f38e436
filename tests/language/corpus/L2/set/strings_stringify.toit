// Checks the stringify of a set of strings (not quoted) and contains by content.
main:
  s := {"a", "b"}
  print s
  print (s.contains "a" + "")

// expect: {a, b}
// expect: true
