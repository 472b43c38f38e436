main:
  print (255.to-string --radix=16)
  print (255.stringify 2)
  print (-255.to-string --radix=16)
  print 123.stringify

// expect: ff
// expect: 11111111
// expect: -ff
// expect: 123
