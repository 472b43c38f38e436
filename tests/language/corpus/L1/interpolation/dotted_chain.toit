// Checks $name.field chains and that a '.' before a non-identifier char is literal text.
main:
  s := "abc"
  print "$s.size letters"
  print "got $s."
  print "got $s.size."

// expect: 3 letters
// expect: got abc.
// expect: got 3.
