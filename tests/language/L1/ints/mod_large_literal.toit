// `x % K`, `x * K`, `x < K` and `(a + b) % K` with a literal beyond 16 bits
// (done by the literal's load or the addition): same results as the plain
// operators, also for negative and large operands.
main:
  a := 123456789
  b := -987654
  print a % 1000003
  print b % 1000003
  print (a + b) % 1000003
  print (b + b) % 1000003
  s := 0
  for i := 0; i < 10; i++: s = (s + a * i) % 1000003
  print s
  t := (a + 1) % 1000003 + 1
  print t
  print a * 100000
  print b * 100000
  big := 0x3fff_ffff_ffff_ffff
  print (big + big) % 1000003
  print big * 100000
  print a < 1000003
  print b < 1000003
  print (a >= 1000003)
  f := 2.5
  print f % 1000003
  print (f + 1.0) % 1000003

// expect: 456420
// expect: -987654
// expect: 468769
// expect: -975305
// expect: 538840
// expect: 456422
// expect: 12345678900000
// expect: -98765400000
// expect: 675343
// expect: -100000
// expect: false
// expect: true
// expect: true
// expect: 2.5
// expect: 3.5
