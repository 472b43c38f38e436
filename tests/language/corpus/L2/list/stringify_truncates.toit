// Checks that a huge list's stringify is truncated with "..." and no closing bracket.
main:
  l := List 2000: 1000000 + it
  s := l.stringify
  print (s.ends-with "...")
  print (s.ends-with "]")
  print s.size < 4100

// expect: true
// expect: false
// expect: true
