// Checks that \0 \a \b \f \v \r are single bytes with the right values.
main:
  print "\0".size
  print "\0"[0]
  print "\a"[0]
  print "\b"[0]
  print "\f"[0]
  print "\v"[0]
  print "\r"[0]

// expect: 1
// expect: 0
// expect: 7
// expect: 8
// expect: 12
// expect: 11
// expect: 13
