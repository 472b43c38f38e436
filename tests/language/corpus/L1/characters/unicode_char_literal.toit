// Checks that a non-ASCII character literal is its code point.
main:
  print 'é'
  print '€'
  print '😀'

// expect: 233
// expect: 8364
// expect: 128512
