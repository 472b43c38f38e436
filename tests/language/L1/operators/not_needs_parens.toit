main:
  print not true  // expect compile error: 'not' must be parenthesized
