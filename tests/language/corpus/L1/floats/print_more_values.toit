// Checks more float printing: shortest round-trip digits, fixed vs exponent form.
main:
  print 2.5
  print -1.5
  print 100.0
  print 1e3
  print 0.00001
  print 1e100
  print 1e-100
  print 1.2345e25
  print 123.456
  print 0.0

// expect: 2.5
// expect: -1.5
// expect: 100.0
// expect: 1000.0
// expect: 0.00001
// expect: 1e100
// expect: 1e-100
// expect: 1.2345e25
// expect: 123.456
// expect: 0.0
