// Checks width, left-alignment and zero padding of %d.
main:
  print "[$(%5d 42)]"
  print "$(%-5d 42)|"
  print "$(%05d 42)"
  print "[$(%2d 12345)]"

// expect: [   42]
// expect: 42   |
// expect: 00042
// expect: [12345]
