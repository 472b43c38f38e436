main:
  print -5.abs
  print -5.sign
  print 0.sign
  print 7.sign
  print 4.to-float
  print 9.sqrt
  print 16.is-power-of-two
  print 12.is-power-of-two
  print 1.count-leading-zeros
  print 255.population-count
  print (3.compare-to 5)

// expect: 5
// expect: -1
// expect: 0
// expect: 1
// expect: 4.0
// expect: 3.0
// expect: true
// expect: false
// expect: 63
// expect: 8
// expect: -1
