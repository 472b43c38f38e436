// Checks that int.parse throws INTEGER_PARSING_ERROR on bad input and --if-error.
main:
  print (catch: int.parse "12x")
  print (catch: int.parse "")
  print (int.parse "zz" --if-error=: -1)

// expect: INTEGER_PARSING_ERROR
// expect: INTEGER_PARSING_ERROR
// expect: -1
