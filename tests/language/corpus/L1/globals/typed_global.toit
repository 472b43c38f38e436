// Checks a typed global and a typed global set later (`:= ?`).
name /string := "a"
late /int := ?
main:
  late = 7
  print name
  print late

// expect: a
// expect: 7
