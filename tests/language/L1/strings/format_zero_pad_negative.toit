// Quirk kept for compatibility: zero padding goes before the sign.
main:
  print "$(%05d -42)"

// expect: 00-42
