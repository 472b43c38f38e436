// Checks that the compiler recovers after a lexical error and still reports a later error.
f:
  print "abc  // expect compile error: Unterminated string
g:
  print missing-name  // expect compile error: Unresolved identifier: 'missing-name'
main:
  f
  g
