// Checks that `not` inside a binary operand must be parenthesized.
main:
  b := true
  print (true == not b)  // expect compile error: 'not' must be parenthesized
