// Checks \xHH, \uHHHH and the braced forms, encoded as UTF-8.
main:
  print "\x41\x42"
  print "\u00e9"
  print "\u00e9".size
  print "\x{1F600}".size
  print "\u{41}"
  print "\x{e9}" == "é"

// expect: AB
// expect: é
// expect: 2
// expect: 4
// expect: A
// expect: true
