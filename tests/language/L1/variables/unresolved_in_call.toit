main:
  print (nowhere 1 2)  // expect compile error: Unresolved identifier: 'nowhere'
