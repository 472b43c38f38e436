main:
  print missing  // expect compile error: Unresolved identifier: 'missing'
