// Checks that character literals are the int code points.
main:
  print 'a'
  print 'a' == 97
  print 'A' + 1
  print '0'

// expect: 97
// expect: true
// expect: 66
// expect: 48
