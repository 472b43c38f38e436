// Checks that remove --at outside the list throws.
main:
  l := [1]
  print (catch: l.remove --at=3) != null
  print l

// expect: true
// expect: [1]
