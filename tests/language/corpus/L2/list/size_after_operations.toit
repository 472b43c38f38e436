// Checks size and is-empty as elements come and go.
main:
  l := []
  print l.is-empty
  10.repeat: l.add it
  print l.size
  5.repeat: l.remove-last
  print l.size
  print l.is-empty

// expect: true
// expect: 10
// expect: 5
// expect: false
