// Checks that an uncaught int.parse failure ends the program with INTEGER_PARSING_ERROR.
main:
  print (int.parse "abc")

// expect runtime error: INTEGER_PARSING_ERROR
