// Dashes inside identifiers; `a-b` is one name, `a - b` is a subtraction.
main:
  is-ready := true
  x-1 := 10
  x := 3
  print is-ready
  print x-1
  print x - 1

// expect: true
// expect: 10
// expect: 2
