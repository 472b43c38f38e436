main:
  print !true  // expect compile error: Deprecated operator '!'
