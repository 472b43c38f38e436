// Checks single underscores between digits in int literals.
main:
  print 1_000_000
  print 0xFFFF_FFFF
  print 0b1010_0101

// expect: 1000000
// expect: 4294967295
// expect: 165
