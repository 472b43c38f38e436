// Checks that ++ on a final local is a compile error.
main:
  x ::= 1
  x++  // expect compile error:
  print x
