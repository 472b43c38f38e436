// Checks that a local is not visible before its definition.
main:
  print y  // expect compile error: Unresolved identifier: 'y'
  y := 1
