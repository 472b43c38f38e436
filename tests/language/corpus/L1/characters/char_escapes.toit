// Checks escapes in character literals.
main:
  print '\n'
  print '\''
  print '\\'
  print '\x41'
  print '\u00e9'
  print '\t'
  print '\0'

// expect: 10
// expect: 39
// expect: 92
// expect: 65
// expect: 233
// expect: 9
// expect: 0
