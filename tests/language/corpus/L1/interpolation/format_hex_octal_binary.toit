// Checks %x %X %o %b, including two's complement for negatives.
main:
  print "$(%x 255)"
  print "$(%X 255)"
  print "$(%o 8)"
  print "$(%b 5)"
  print "$(%08b 5)"
  print "$(%x -1)"
  print "$(%04x 255)"

// expect: ff
// expect: FF
// expect: 10
// expect: 101
// expect: 00000101
// expect: ffffffffffffffff
// expect: 00ff
