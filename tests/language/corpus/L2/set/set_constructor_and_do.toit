// Checks Set, do in insertion order and remove of an absent element.
main:
  s := Set
  s.add "b"
  s.add "a"
  s.remove "zz"
  s.do: print it
  print s.size

// expect: b
// expect: a
// expect: 2
