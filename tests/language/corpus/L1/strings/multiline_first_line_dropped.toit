// Checks rule 1: spaces then newline after the opening quotes are dropped; indentation is stripped.
main:
  s := """
    a
    b"""
  print s
  print s.size

// expect: a
// expect: b
// expect: 3
