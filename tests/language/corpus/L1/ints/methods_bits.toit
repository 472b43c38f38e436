// Checks sqrt, is-power-of-two, count-leading-zeros, population-count, compare-to.
main:
  print 16.sqrt
  print 64.is-power-of-two
  print 12.is-power-of-two
  print 1.count-leading-zeros
  print 0xFF.population-count
  print (3.compare-to 5) < 0
  print (5.compare-to 5)
  print (7.compare-to 5) > 0

// expect: 4.0
// expect: true
// expect: false
// expect: 63
// expect: 8
// expect: true
// expect: 0
// expect: true
