// Checks that a huge map's stringify is truncated with "...".
main:
  m := {:}
  1000.repeat: m[it] = 1000000 + it
  s := m.stringify
  print (s.ends-with "...")
  print s.size < 4100

// expect: true
// expect: true
