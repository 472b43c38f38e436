// Checks to-float, to-int, stringify, to-string and radix conversion.
main:
  print 3.to-float
  print 3.to-int
  print 42.stringify.size
  print 255.to-string
  print (255.to-string --radix=16)
  print (255.stringify 16)

// expect: 3.0
// expect: 3
// expect: 2
// expect: 255
// expect: ff
// expect: ff
