// Checks that an uncaught ILLEGAL_UTF_8 from a string slice ends the program.
main:
  s := "é"
  print s[0..1]

// expect runtime error: ILLEGAL_UTF_8
