main:
  print 'a'
  print '\n'
  print '\''
  print '\\'
  print '\x41'
  print '\u00e9'
  print 'é'
  print 'a' == 97

// expect: 97
// expect: 10
// expect: 39
// expect: 92
// expect: 65
// expect: 233
// expect: 233
// expect: true
