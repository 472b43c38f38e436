// Checks that lists grow beyond their literal size.
main:
  l := [1]
  100.repeat: l.add it
  print l.size
  print l[100]
  print l.last

// expect: 101
// expect: 99
// expect: 99
