// Checks first, last and is-sorted.
main:
  l := [1, 2, 5]
  print l.first
  print l.last
  print l.is-sorted
  print [3, 1].is-sorted

// expect: 1
// expect: 5
// expect: true
// expect: false
