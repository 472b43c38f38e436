// Checks that `not` as an unparenthesized call argument is an error.
main:
  b := true
  print not b  // expect compile error: 'not' must be parenthesized
