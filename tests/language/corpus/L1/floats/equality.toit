// Checks numeric float equality: 0.0 == -0.0 and nan != nan.
main:
  print 0.0 == -0.0
  nan := float.NAN
  print nan == nan
  print nan != nan
  print 1.0 == 1

// expect: true
// expect: false
// expect: true
// expect: true
