// Checks the kept quirk: zero padding goes before the sign.
main:
  print "$(%05d -42)"
  print "$(%5d -42)"

// expect: 00-42
// expect:   -42
