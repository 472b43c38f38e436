// Checks identifiers with upper case letters, digits and dashes.
MAX-2 ::= 22
Name9 := "n9"
main:
  print MAX-2
  print MAX_2
  print Name9

// expect: 22
// expect: 22
// expect: n9
