// Checks the \s escape (space) in a multi-line string.
main:
  s := """a\sb"""
  print s == "a b"

// expect: true
