bad x: return x +  // expect compile error: Unexpected
main:
  print nope  // expect compile error: Unresolved identifier: 'nope'
