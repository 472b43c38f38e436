// Checks that bits shifted beyond 64 are lost.
main:
  print 0xFF << 60
  print 3 << 63

// expect: -1152921504606846976
// expect: -9223372036854775808
