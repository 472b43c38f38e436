// Checks that a block may be stored in a local and called.
main:
  b := (: it * 2)
  print (b.call 21)

// expect: 42
